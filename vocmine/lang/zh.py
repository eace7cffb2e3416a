"""Chinese (Mandarin, simplified and traditional) language data (data only).

Examples:
    >>> from vocmine.lang import get
    >>> get("zh").WORD_SEPARATED
    False
"""

from __future__ import annotations

CODE = "zh"
NAME = "Chinese"

#: The ISO 15924 code of the script the language is written in.
SCRIPT = "Hani"

#: Words are not separated by spaces.
WORD_SEPARATED = False

#: Chinese has no alphabet; script detection uses Han code points instead.
ALPHABET: frozenset[str] = frozenset()

#: Chinese uses no period abbreviations.
ABBREVIATIONS: frozenset[str] = frozenset()

#: Chinese uses no period abbreviations.
NONFINAL_ABBREVIATIONS: frozenset[str] = frozenset()

#: Words at which a very long unpunctuated run may be split (before the marker).
DISCOURSE_MARKERS = (
    "但是", "不过", "可是", "然而", "只是", "而且", "并且", "另外", "此外", "所以",
    "因此", "因为", "虽然", "尽管", "然后", "总之", "总的来说", "其实", "还有",
    "就是", "反而", "不然", "否则", "结果",
)  # fmt: skip

#: Negation words.
NEGATORS = frozenset({"不", "没", "没有", "无", "别", "未", "非", "甭", "莫", "勿", "不是", "并不", "从不", "毫无"})

#: Words that strengthen the following word.
INTENSIFIERS = frozenset(
    {
        "很", "非常", "太", "特别", "十分", "极", "极其", "超", "超级", "好", "真",
        "真的", "挺", "相当", "格外", "尤其", "最", "更", "更加", "实在", "绝对",
        "完全", "巨", "贼", "蛮", "老", "忒", "过于", "那么", "这么",
    }
)  # fmt: skip

#: Words that weaken the following word.
DIMINISHERS = frozenset(
    {"有点", "有点儿", "有些", "稍微", "稍", "略", "略微", "比较", "还", "还算", "还行", "一点", "一点儿", "几乎"}
)

#: A small curated stop-word list (function words; negators included).
STOP_WORDS = frozenset(
    {
        "的", "了", "是", "在", "我", "有", "和", "就", "不", "人", "都", "一", "一个",
        "上", "也", "很", "到", "说", "要", "去", "你", "会", "着", "没有", "看", "好",
        "自己", "这", "那", "他", "她", "它", "我们", "你们", "他们", "她们", "它们",
        "这个", "那个", "这些", "那些", "吗", "吧", "呢", "啊", "呀", "哦", "嗯", "哈",
        "啦", "嘛", "么", "与", "及", "或", "而", "但", "但是", "因为", "所以", "如果",
        "虽然", "可以", "就是", "还", "又", "再", "被", "把", "给", "让", "对", "从",
        "为", "为了", "以", "之", "其", "得", "地", "过", "来", "又", "等", "等等",
        "什么", "怎么", "哪", "哪里", "谁", "多少", "几", "还是", "已经", "因此", "然后",
        "而且", "并且", "不过", "只是", "比较", "非常", "太", "真", "挺", "蛮", "有点",
        "一下", "一些", "一点", "个", "次", "些", "么", "里", "中", "后", "前", "时",
        "时候", "没", "我的", "你的", "他的", "她的", "您", "咱们", "大家", "这样",
        "那样", "这里", "那里", "这么", "那么", "其实", "还有", "比", "跟", "向", "于",
    }
)  # fmt: skip
