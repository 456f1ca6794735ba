"""Goal-quality checks that read a goal's wording for the shape of a known mistake: a vision
that is a business number, a sprint goal that is a work list or no goal at all, a target
out of reach for its level, a user goal that is a business metric (goals that work against
people are found in quality_ethics.py). Each returns the message when it applies, else None
(goals/rules/quality.py lists them as rules)."""

from __future__ import annotations

import re

from goals.models import Level
from goals.rules.quality_drafts import GoalDraft
from goals.rules.quality_words import DIGIT, WORD

# A vision about the company and a number or a rank, not about people's lives.
_COMPANY_AMBITION = re.compile(
    r"\b(?:(?:become|be|remain|stay)\s+(?:the\s+)?(?:biggest|largest|leading|number\s+one|no\.?\s*1|best"
    r"|#\s*1|market\s+leader|best[-\s]known|top)\b|market\s+leader(?:ship)?\b|unicorn\b|ipo\b"
    r"|go(?:ing)?\s+public\b|(?:sell|selling|exit)\s+(?:the\s+)?(?:company|business)\b"
    r"|^\W*(?:the|a|an|our)\s+(?:biggest|largest|leading|number\s+one|no\.?\s*1|best)\b"
    r"|\bmore\s+\w+\s+than\s+any\s+other\b"
    r"|valuation\b|market\s+share\b|dominate\b)",
    re.IGNORECASE,
)
_BIG_NUMBER = re.compile(
    r"(?:[€$£¥]\s*\d|\d[\d,.]*\s*(?:k|m|bn|million|billion|thousand)\b"
    r"|\b(?:a|one|two|three|five|ten|hundred)\s+(?:million|billion)\b|\d{2,}[\d,.]*\s*%"
    r"|\b\d[\d,.]{3,})",
    re.IGNORECASE,
)
# The business's own nouns, one of which a vision that is a business number holds.
_NOUN_WORDS = frozenset({
    "member", "members", "customer", "customers", "user", "users", "subscriber", "subscribers",
    "client", "clients", "account", "accounts", "download", "downloads", "revenue", "turnover",
    "sales", "profit", "arr", "mrr", "business", "company", "donor", "donors", "store",
    "stores", "shop", "shops", "branches", "countries", "market", "markets", "employees",
    "valuation", "euro", "euros", "dollar", "dollars", "pound", "pounds",
})  # fmt: skip

# A sprint goal that lists work instead of saying what the sprint achieves.
_TICKET_KEY = re.compile(r"\b[A-Z][A-Z0-9]{1,9}-\d+\b")
_WORK_COUNT = re.compile(
    r"\b\d+\s*(?:story\s+)?(?:points?|tickets?|stories|issues|tasks|bugs|items|cards|prs?|"
    r"pull\s+requests)\b|\bvelocity\b|\bstory\s+points?\b",
    re.IGNORECASE,
)
_NO_GOAL = re.compile(
    r"^\W*(?:carry\s+on|continue|keep\s+going|keep\s+working|more\s+of\s+the\s+same|business\s+as"
    r"\s+usual|misc(?:ellaneous)?|various|general|bau|tbd|todo|n/?a|whatever|stuff|"
    r"bug\s*fix(?:es|ing)?|tech(?:nical)?\s+debt|maintenance|clean[\s-]?up|polish(?:ing)?)\b"
    r"|\bburn\s+down\b|\bbacklog\b|\bas\s+(?:much|many)\s+(?:\w+\s+)?as\s+(?:we\s+can|possible)"
    r"|\beverything\s+(?:we\s+can|possible|left)\b|\bwhere\s+we\s+left\s+off\b"
    r"|\bfinish\s+(?:what|whatever|everything|all)\b|\bimprovements\s*$",
    re.IGNORECASE,
)
# A thousands separator or a decimal point ("8,000", "4.20") separates no work.
_IN_NUMBER = re.compile(r"(?<=\d)[,.](?=\d)")
_LIST_SEPARATOR = re.compile(r"\s*(?:[,;+&/]|\band\b|\bthen\b)\s*", re.IGNORECASE)
_SPRINT_NUMBER = re.compile(r"\W*sprint\s*\d+\W*", re.IGNORECASE)  # "Sprint 14", nothing else

# Targets out of reach for the level's horizon. Numbers as words up to twenty and the round
# tens, so that "twenty times more orders" and "five-fold" weigh as "20x" and "5x" do.
_NUMBER_WORD_VALUES = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "thousand": 1000,
}  # fmt: skip
_NUMBER_WORD = "|".join(sorted(_NUMBER_WORD_VALUES, key=len, reverse=True))
# "three times a week" says how often, not how much more.
_NOT_HOW_OFTEN = (
    r"(?!\s+(?:a|an|per|each|every)\s+(?:day|week|month|year|quarter|session|visit|night)\b)"
)
_MULTIPLIER = re.compile(
    rf"\b(\d+(?:[.,]\d+)?)\s*(?:x|×|times|fold)(?=\W|$){_NOT_HOW_OFTEN}"
    rf"|\b({_NUMBER_WORD})(?:\s+times\b|[\s-]?fold\b){_NOT_HOW_OFTEN}"
    r"|\b(double|doubles|doubled|doubling|triple|triples|tripled|tripling|quadruple|"
    r"quadrupled)\b",
    re.IGNORECASE,
)
_PERCENT_GROWTH = re.compile(
    r"\b(?:grow|increase|raise|boost|lift|up)\w*\b[^.%]*?\bby\s+(\d[\d,]*)\s*%", re.IGNORECASE
)
_MULTIPLY_BY = re.compile(
    rf"\bmultipl\w*\b[^.]*?\bby\s+(\d+(?:\.\d+)?|{_NUMBER_WORD})\b", re.IGNORECASE
)
_AMOUNT = r"(\d[\d,]*(?:\.\d+)?\s*(?:k|m|bn|thousand|million|billion)?)\b"
_FROM_TO = re.compile(
    rf"\bfrom\s+[€$£]?\s*{_AMOUNT}\s*\S*\s+to\s+[€$£]?\s*{_AMOUNT}", re.IGNORECASE
)
# Durations shrink as they improve ("from 2 days to 10 minutes"): no growth to weigh.
_DURATION = re.compile(r"\b(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b", re.I)
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
_WHOLE_REWRITE = re.compile(
    r"\b(?:replace|rewrite|rebuild|re-?platform|re-?architect|migrate|redo|overhaul)\w*\s+"
    r"(?:the\s+)?(?:whole|entire|complete|full|all\s+(?:of\s+)?(?:the\s+)?|every)\b",
    re.IGNORECASE,
)
_MULTIPLIER_WORDS = {
    "double": 2, "doubles": 2, "doubled": 2, "doubling": 2, "triple": 3, "triples": 3,
    "tripled": 3, "tripling": 3, "quadruple": 4, "quadrupled": 4,
}  # fmt: skip
_GROWTH_WORDS = frozenset({
    "x", "times", "fold", "from", "multiply", "multiplied", *_MULTIPLIER_WORDS,
    *(f"{word}fold" for word in _NUMBER_WORD_VALUES),
})  # fmt: skip
# The largest growth a level's horizon makes believable: a sprint moves a number, it does not
# multiply it; a product goal has months, not years.
_REACHABLE: dict[str, float] = {
    Level.SPRINT: 1.5,
    Level.PRODUCT: 3,
    Level.BUSINESS: 5,
    Level.USER: 5,
}

# Numbers of the business's own, not of the user's life.
_BUSINESS_METRIC = re.compile(
    r"\b(?:revenue|turnover|sales|profit\w*|margin|arpu|arpa|arr|mrr|ltv|cac|lifetime\s+value|"
    r"upsell\w*|cross-?sell\w*|basket\s+(?:size|value)|average\s+order\s+value|aov|ebitda|"
    r"spend\s+per|(?:revenue|income)\s+per|per\s+(?:account|customer|user)\s+(?:per\s+)?"
    r"(?:month|year)|monetis\w+|monetiz\w+|premium\s+conversion|paid\s+conversion|paid\s+premium"
    r"|(?:buy|buys|purchase|purchases)\s+(?:a\s+|an\s+)?(?:\w+\s+)?(?:upgrades?|add-?ons?))\b",
    re.IGNORECASE,
)


# The words without which a pattern cannot match: it runs only on goals holding one.
_AMBITION_WORDS = frozenset({
    "become", "be", "remain", "stay", "market", "unicorn", "ipo", "public", "sell", "selling",
    "exit", "valuation", "share", "dominate", "biggest", "largest", "leading", "best", "number",
    "no", "than",
})  # fmt: skip
_COUNT_WORDS = frozenset({"million", "billion", "thousand", "hundred", "k", "m", "bn"})
_WORK_WORDS = frozenset({
    "point", "points", "ticket", "tickets", "stories", "issues", "tasks", "bugs", "items",
    "cards", "pr", "prs", "pull", "velocity", "story",
})  # fmt: skip
_NO_GOAL_WORDS = frozenset({
    "carry", "continue", "keep", "same", "usual", "misc", "miscellaneous", "various", "general",
    "bau", "tbd", "todo", "n", "na", "whatever", "stuff", "bug", "bugfix", "bugfixes",
    "bugfixing", "tech", "technical", "maintenance", "clean", "cleanup", "polish", "polishing",
    "burn", "backlog", "much", "many", "everything", "left", "finish", "improvements",
})  # fmt: skip
_LIST_WORDS = ("and", "then")
_REWRITE_WORDS = frozenset({"whole", "entire", "complete", "full", "all", "every"})
_METRIC_WORDS = frozenset({
    "revenue", "turnover", "sales", "profit", "profits", "profitability", "margin", "margins",
    "arpu", "arpa", "arr", "mrr", "ltv", "cac", "lifetime", "upsell", "upsells", "upselling",
    "crosssell", "cross", "basket", "average", "aov", "ebitda", "spend", "income", "per",
    "monetisation", "monetization", "monetise", "monetize", "premium", "paid", "buy", "buys",
    "purchase", "purchases",
})  # fmt: skip


# Words that sound like a vision and say nothing about whose life changes.
_EMPTY_WORDS = frozenset({
    "excellence", "excellent", "world", "class", "synergy", "synergies", "innovative",
    "innovation", "agile", "centric", "cutting", "seamless", "holistic", "leverage", "best",
})  # fmt: skip
_EMPTY = re.compile(
    r"\b(?:excellence|world-class|best-in-class|synerg(?:y|ies)|innovative|innovation|agile|"
    r"customer-centric|cutting-edge|seamless|holistic|leverag\w+)\b|^\W*make\s+(?:\w+\s+){1,3}"
    r"better\W*$",
    re.IGNORECASE,
)


def vision_is_empty_words(draft: GoalDraft) -> str | None:
    words = draft.words()
    if _EMPTY_WORDS.isdisjoint(words) and "better" not in words:
        return None
    found = _EMPTY.search(draft.title)
    if found is None:
        return None
    return (
        f"“{found.group(0).strip()}” could be said of any company: a vision names who is "
        "better off and how their lives change."
    )


def vision_is_a_business_number(draft: GoalDraft) -> str | None:
    title = draft.title
    words = draft.words()
    ambition = None if _AMBITION_WORDS.isdisjoint(words) else _COMPANY_AMBITION.search(title)
    if ambition is not None:
        return (
            f"“{ambition.group(0).strip()}” is the company's ambition, not a change in people's "
            "lives: a vision says who is better off and how."
        )
    if DIGIT.search(title) is None and _COUNT_WORDS.isdisjoint(words):
        return None
    if _NOUN_WORDS.isdisjoint(WORD.findall(title.lower())):
        return None
    number = _BIG_NUMBER.search(title)
    if number is not None:
        return (
            f"“{number.group(0).strip()}” makes this vision a business number: a vision says "
            "who is better off and how, and the numbers go in business goals."
        )
    return None


def sprint_goal_is_a_work_list(draft: GoalDraft) -> str | None:
    title = draft.title
    words = draft.words()
    key = _TICKET_KEY.search(title) if "-" in title else None
    if key is not None:
        return (
            f"“{key.group(0)}” is a ticket: a sprint goal says what the sprint achieves, not "
            "which tickets it closes."
        )
    count = None if _WORK_WORDS.isdisjoint(words) else _WORK_COUNT.search(title)
    if count is not None:
        return (
            f"“{count.group(0)}” counts work done, not what the sprint achieves for the "
            "product's users."
        )
    if (words == ["sprint"] and _SPRINT_NUMBER.fullmatch(title)) or (
        not _NO_GOAL_WORDS.isdisjoint(words) and _NO_GOAL.search(title)
    ):
        return "This says the team keeps working, not what this sprint is for."
    separators = sum(map(title.count, ",;+&/")) + sum(map(words.count, _LIST_WORDS))
    if separators < 2:
        return None
    listed = _IN_NUMBER.sub("", title)
    if listed != title:
        separators = sum(map(listed.count, ",;+&/")) + sum(map(words.count, _LIST_WORDS))
        if separators < 2:
            return None
    parts = [part for part in _LIST_SEPARATOR.split(listed.strip(" .")) if part.strip()]
    if len(parts) >= 3 and all(len(part.split()) <= 5 for part in parts):
        return (
            f"This lists {len(parts)} separate pieces of work: a sprint goal is one outcome "
            "that gives them a reason."
        )
    return None


def target_out_of_reach(draft: GoalDraft) -> str | None:
    reachable = _REACHABLE.get(draft.level)
    if reachable is None:
        return None
    title = draft.title
    rewrite = draft.level == Level.SPRINT and not _REWRITE_WORDS.isdisjoint(draft.words())
    if rewrite and _WHOLE_REWRITE.search(title):
        return (
            "Replacing a whole system is months of work: a sprint goal is what one to four "
            "weeks can finish and learn."
        )
    factor, words = _growth(title, draft.words())
    if factor is not None and factor > reachable:
        return (
            f"“{words}” is more than a {draft.label} can reach in its time: set a target the "
            "team believes it can meet, and put the stretch in the vision."
        )
    return None


def _growth(title: str, words: list[str]) -> tuple[float | None, str]:
    """How many times over a goal asks a number to grow, and the words that say so."""
    multiplied = "×" in title or not _GROWTH_WORDS.isdisjoint(words)
    found = _MULTIPLIER.search(title) if multiplied else None
    if found is not None:
        if found.group(1):
            return float(found.group(1).replace(",", ".")), found.group(0).strip()
        if found.group(2):
            return _number(found.group(2)), found.group(0).strip()
        return float(_MULTIPLIER_WORDS[found.group(3).lower()]), found.group(0).strip()
    multiply = _MULTIPLY_BY.search(title) if "multipl" in title.lower() else None
    if multiply is not None:
        return _number(multiply.group(1)), multiply.group(0).strip()
    span = _FROM_TO.search(title) if "from" in words else None
    if span is not None and not _DURATION.search(span.group(0)):
        start, end = _amount(span.group(1)), _amount(span.group(2))
        if start and end and end > start:
            return end / start, span.group(0).strip()
    percent = _PERCENT_GROWTH.search(title) if "%" in title else None
    if percent is not None:
        return 1 + int(percent.group(1).replace(",", "")) / 100, f"by {percent.group(1)} %"
    return None, ""


def _number(text: str) -> float:
    """ "12" → 12; "twelve" → 12."""
    word = text.lower()
    return float(_NUMBER_WORD_VALUES[word]) if word in _NUMBER_WORD_VALUES else float(text)


def _amount(text: str) -> float | None:
    """ "5 million" → 5,000,000; "8,000" → 8,000; None when it is no number."""
    found = re.match(r"([\d,]+(?:\.\d+)?)\s*([a-z]*)", text.strip().lower())
    if found is None:
        return None
    try:
        number = float(found.group(1).replace(",", ""))
    except ValueError:
        return None
    return number * _SCALE.get(found.group(2), 1)


def user_goal_is_a_business_metric(draft: GoalDraft) -> str | None:
    if _METRIC_WORDS.isdisjoint(draft.words()):
        return None
    found = _BUSINESS_METRIC.search(draft.title)
    if found is None:
        return None
    return (
        f"“{found.group(0).strip()}” is what the business gets: a user goal says what users "
        "get, and this number belongs in a business goal."
    )
