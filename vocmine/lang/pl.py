"""Polish language data (data only, no logic).

Examples:
    >>> from vocmine.lang import get
    >>> "np" in get("pl").NONFINAL_ABBREVIATIONS
    True
"""

from __future__ import annotations

CODE = "pl"
NAME = "Polish"

#: The ISO 15924 code of the script the language is written in.
SCRIPT = "Latn"

#: Words are separated by spaces.
WORD_SEPARATED = True

#: The letters of the alphabet (lower case; q, v, x occur in loanwords).
ALPHABET = frozenset("aąbcćdeęfghijklłmnńoóprsśtuwyzźżqvx")

#: Abbreviations (lower case, without the final period) whose period ends a
#: sentence only when the next word starts with an upper-case letter.
ABBREVIATIONS = frozenset(
    {
        "ok", "itd", "itp", "etc", "zł", "gr", "tys", "mln", "mld", "min", "sek",
        "godz", "szt", "kg", "dag", "cm", "mm", "km", "r", "w", "wg", "str", "rys",
        "tab", "pkt", "ust", "art", "poz", "jw", "dot", "ang", "łac", "br",
    }
)  # fmt: skip

#: Abbreviations whose period never ends a sentence (``np.``, ``ul. Długa``).
NONFINAL_ABBREVIATIONS = frozenset(
    {
        "np", "tzn", "m.in", "tj", "ul", "al", "pl", "os", "nr", "prof", "dr",
        "hab", "inż", "mgr", "lek", "płk", "ks", "św", "im", "p", "tel", "kom", "ew",
        "ww", "wyż", "por", "zob", "tzw", "cd", "woj", "pow", "gm", "sp", "ds",
    }
)  # fmt: skip

#: Words or phrases at which a very long unpunctuated run may be split.
DISCOURSE_MARKERS = (
    "ale", "lecz", "jednak", "jednakże", "natomiast", "a", "chociaż", "choć",
    "mimo że", "mimo to", "ponieważ", "bo", "dlatego", "więc", "także", "poza tym",
    "oprócz tego", "w dodatku", "w sumie", "ogólnie", "niestety", "na szczęście",
    "potem", "następnie", "zresztą", "a także",
)  # fmt: skip

#: Negation words.
NEGATORS = frozenset({"nie", "nigdy", "ani", "żaden", "żadna", "żadne", "nic", "bez", "brak"})

#: Words that strengthen the following word.
INTENSIFIERS = frozenset(
    {
        "bardzo", "mega", "super", "strasznie", "okropnie", "niesamowicie", "naprawdę",
        "totalnie", "absolutnie", "całkowicie", "zupełnie", "kompletnie", "wyjątkowo",
        "niezwykle", "szczególnie", "ogromnie", "niezmiernie", "zbyt", "za", "tak",
        "taki", "taka", "takie", "najbardziej", "wielce", "maksymalnie", "potwornie",
        "skrajnie", "serio",
    }
)  # fmt: skip

#: Words that weaken the following word.
DIMINISHERS = frozenset(
    {
        "trochę", "nieco", "lekko", "troszkę", "częściowo", "względnie", "dość",
        "dosyć", "prawie", "niemal", "niemalże", "raczej", "nieznacznie", "ledwo",
        "ledwie", "poniekąd",
    }
)  # fmt: skip

#: A small curated stop-word list (function words; negators included).
STOP_WORDS = frozenset(
    {
        "a", "aby", "ale", "ani", "aż", "bez", "bo", "by", "był", "była", "było",
        "byli", "być", "będzie", "będą", "chociaż", "choć", "ci", "cię", "co", "coś",
        "czy", "czyli", "dla", "do", "dlatego", "gdy", "gdyż", "gdzie", "go", "i",
        "ich", "ile", "im", "inne", "innych", "iż", "ja", "jak", "jakie", "jaki",
        "jakiś", "je", "jeden", "jedna", "jednak", "jego", "jej", "jest", "jestem",
        "jeszcze", "jeśli", "jeżeli", "już", "ją", "każdy", "kiedy", "kto", "która",
        "które", "który", "których", "którym", "lub", "ma", "mam", "mi", "mnie", "mną",
        "może", "mój", "moja", "moje", "my", "na", "nad", "nam", "nas", "nawet", "nic",
        "nie", "niech", "nim", "no", "o", "od", "oraz", "on", "ona", "one", "oni",
        "ono", "po", "pod", "ponieważ", "przez", "przy", "są", "się", "sobie", "sobą",
        "swój", "swoje", "ta", "tak", "także", "tam", "te", "tego", "tej", "ten",
        "też", "to", "tu", "tym", "tylko", "u", "w", "we", "wszystko", "wtedy", "więc",
        "właśnie", "z", "za", "ze", "że", "żeby", "ty", "wy", "was", "wam", "tę", "tą",
        "tych", "tymi", "temu", "bardzo", "było", "będę", "był", "miał", "miała",
        "mieć", "można", "trzeba", "bym", "byś", "jakby", "albo", "lecz", "potem",
        "teraz", "zawsze", "wszystkie", "tutaj", "jako", "przed", "między", "około",
    }
)  # fmt: skip
