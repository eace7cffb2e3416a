"""English language data (data only, no logic).

Examples:
    >>> from vocmine.lang import get
    >>> "e.g" in get("en").NONFINAL_ABBREVIATIONS
    True
"""

from __future__ import annotations

CODE = "en"
NAME = "English"

#: The ISO 15924 code of the script the language is written in.
SCRIPT = "Latn"

#: Words are separated by spaces.
WORD_SEPARATED = True

#: The letters of the alphabet (lower case).
ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz")

#: Abbreviations (lower case, without the final period) whose period ends a
#: sentence only when the next word starts with an upper-case letter.
ABBREVIATIONS = frozenset(
    {
        "etc", "inc", "ltd", "co", "corp", "jr", "sr", "min", "mins", "sec", "hr",
        "hrs", "approx", "dept", "no", "pp", "vol", "fig", "ft", "lb", "lbs", "oz",
        "kg", "km", "cm", "mm", "a.m", "p.m", "u.s", "u.k", "jan", "feb", "apr",
        "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "thu",
        "fri", "al",
    }
)  # fmt: skip

#: Abbreviations whose period never ends a sentence (``e.g.``, ``Mr. Smith``).
NONFINAL_ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "st", "mt", "rev", "gen", "col", "capt",
        "lt", "sgt", "gov", "sen", "rep", "hon", "e.g", "i.e", "eg", "ie", "cf",
        "viz", "ca", "tel", "ph", "ext", "nos", "ref", "vs", "ave", "blvd", "rd",
        "apt",
    }
)  # fmt: skip

#: Words or phrases at which a very long unpunctuated run may be split.
DISCOURSE_MARKERS = (
    "but", "however", "although", "though", "whereas", "yet", "so", "because",
    "also", "and then", "then", "anyway", "otherwise", "besides", "moreover",
    "on the other hand", "in addition", "after that", "overall", "unfortunately",
    "and also", "plus", "still", "nevertheless",
)  # fmt: skip

#: Negation words (contractions included, apostrophe normalised to ``'``).
NEGATORS = frozenset(
    {
        "not", "no", "never", "none", "nothing", "nobody", "nowhere", "neither", "nor",
        "without", "cannot", "can't", "cant", "don't", "dont", "doesn't", "doesnt",
        "didn't", "didnt", "won't", "wont", "isn't", "isnt", "aren't", "arent",
        "wasn't", "wasnt", "weren't", "werent", "haven't", "havent", "hasn't", "hasnt",
        "hadn't", "hadnt", "shouldn't", "wouldn't", "couldn't", "mustn't", "n't",
        "hardly", "barely", "lack", "lacks", "lacking",
    }
)  # fmt: skip

#: Words that strengthen the following word.
INTENSIFIERS = frozenset(
    {
        "very", "really", "extremely", "so", "too", "absolutely", "totally",
        "completely", "utterly", "incredibly", "super", "highly", "truly", "terribly",
        "awfully", "especially", "particularly", "exceptionally", "remarkably",
        "seriously", "insanely", "ridiculously", "most", "much", "way", "such",
        "entirely", "thoroughly", "deeply", "hugely", "massively", "damn", "bloody",
    }
)  # fmt: skip

#: Words that weaken the following word.
DIMINISHERS = frozenset(
    {
        "slightly", "somewhat", "a bit", "bit", "little", "fairly", "rather", "quite",
        "kinda", "sorta", "kind of", "sort of", "partly", "partially", "mildly",
        "almost", "nearly", "barely", "hardly", "relatively", "reasonably", "marginally",
    }
)  # fmt: skip

#: A small curated stop-word list (function words; negators included).
STOP_WORDS = frozenset(
    {
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and",
        "any", "are", "as", "at", "be", "because", "been", "before", "being", "below",
        "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing",
        "down", "during", "each", "few", "for", "from", "further", "had", "has",
        "have", "having", "he", "her", "here", "hers", "herself", "him", "himself",
        "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just",
        "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off",
        "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over",
        "own", "same", "she", "should", "so", "some", "such", "than", "that", "the",
        "their", "theirs", "them", "themselves", "then", "there", "these", "they",
        "this", "those", "through", "to", "too", "under", "until", "up", "very", "was",
        "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why",
        "will", "with", "would", "you", "your", "yours", "yourself", "yourselves",
        "also", "although", "am", "an", "another", "anyway", "around", "else", "ever",
        "every", "get", "got", "gets", "however", "i'm", "i've", "i'd", "i'll", "it's",
        "let", "lets", "many", "may", "might", "much", "must", "never", "one", "ok",
        "okay", "really", "since", "still", "thing", "things", "though", "us", "via",
        "well", "whether", "within", "without", "yet", "you're", "you've", "that's",
        "there's", "they're", "we're", "can't", "don't", "didn't", "doesn't", "isn't",
        "wasn't", "won't", "etc", "shall", "either", "neither",
    }
)  # fmt: skip
