"""The goal-quality check for goals that reach their number by working against the people they
serve (goals/rules/quality.py lists it as the rule `unethical`): dark patterns, confirmshaming,
false urgency, leaving made hard, loss-aversion pressure, compulsive use, pushing people into
debt, and personal data used beyond what people agreed to.

Each kind is a pattern with the words it cannot match without: a chain's health reads 10,000
goals and most hold none of these words, so most goals cost one set lookup. A word list must
hold every form its pattern matches (tests/goals/test_quality_ethics.py checks this on every
sentence it knows)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from goals.rules.quality_drafts import GoalDraft


@dataclass(frozen=True)
class Manipulation:
    """One kind of manipulation: the pattern that finds it, the words without which it cannot
    match, and what shows a match is harmless (consent, anonymised data, fighting fakes)."""

    name: str
    words: frozenset[str]
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None = None

    def find(self, title: str, words: list[str]) -> str | None:
        if self.words.isdisjoint(words):
            return None
        found = self.pattern.search(title)
        if found is None or (self.unless is not None and self.unless.search(title)):
            return None
        quoted = _OPENING_QUOTE.search(title, found.start(), found.end())
        if quoted is not None:  # the words in quotes say it best: “only 2 rooms left”
            end = _CLOSING_QUOTE.search(title, quoted.end())
            return title[quoted.end() : end.start() if end else len(title)].strip()
        return found.group(0).strip()


# A quote opens where a word would start, not inside one ("riders' trip histories").
_OPENING_QUOTE = re.compile(r"(?:^|(?<=\s))[\"'“‘«„]")
_CLOSING_QUOTE = re.compile(r"[\"'”’»“](?!\w)")


def _kind(name: str, words: str, pattern: str, unless: str = "") -> Manipulation:
    return Manipulation(
        name,
        frozenset(words.split()),
        re.compile(pattern, re.IGNORECASE),
        re.compile(unless, re.IGNORECASE) if unless else None,
    )


_PEOPLE = (
    r"(?:users?|customers?|people|players?|members?|visitors?|shoppers?|buyers?|patients?|"
    r"kids|children|teens|students?|learners?|readers?|viewers?|guests?|borrowers?|families|"
    r"households|those|them)"
)
_QUOTE = r"[\"'“‘«„]\s*"
# The ways out (cancelling, unsubscribing, opting out, refunds, closing an account) and the
# buttons that say no.
_EXITS = (
    r"(?:cancel\w*|unsubscrib\w*|opt[\s-]?outs?|optouts?|refunds?|returns?|downgrad\w*|"
    r"delet\w+\s+(?:\w+\s+)?accounts?|account\s+(?:deletion|closure)|clos\w+\s+(?:\w+\s+)?"
    r"accounts?)"
)
_EXIT_CONTROLS = rf"(?:{_EXITS}|reject(?:\s+all)?|decline|no\s+thanks)"
_EXIT_WORDS = (
    "cancel cancels cancelled canceled cancelling canceling cancellation cancellations cancelable "
    "cancellable unsubscribe unsubscribes unsubscribed unsubscribing opt optout optouts refund "
    "refunds return returns downgrade downgrades downgraded downgrading accounts account reject "
    "decline thanks close leave"
)
_NOT_TIME = r"(?!(?:more\s+)?(?:seconds?|minutes?|hours?|days?|weeks?|months?|sprints?|years?)\b)"
_FEW = r"(?:\d+|a\s+few|few|one|two|three|four|five|six|seven|eight|nine|ten)"
_PRESSURE = (
    r"(?<!without\s)(?<!\bno\s)(?<!never\s)\b(?:anxiety|anxious|fear|pressure|guilt|shame|"
    r"panic|worry|threat\w*|warn\w*|alarm\w*|nag\w*|scare\w*|punish\w*|midnight)\b"
)
_PERSONAL_DATA = (
    r"(?:data|details|profiles?|contacts?|contact\s+lists?|address\s+books?|histor(?:y|ies)|"
    r"records|locations?|whereabouts|messages|photos|searches|browsing|purchases|habits|"
    r"behaviou?r|step\s+counts?|readings|diagnos[ie]s|emails?|phone\s+numbers)"
)
_PERSONAL_DATA_WORDS = (
    "data details profile profiles contact contacts address history histories records location "
    "locations whereabouts messages photos searches browsing purchases habits behaviour behavior "
    "step readings diagnoses diagnosis email emails phone"
)
_WHOSE = (
    r"(?:\w+(?:'s|s'|’s|s’)|their|personal|private|health|medical|location|biometric|"
    r"behaviou?ral|browsing|search|purchase|user|customer|member|patient|listener|reader|"
    r"viewer|guest|rider|driver|passenger|student|child|children's)"
)
_DATA_BUYERS = (
    r"(?:advertisers?|(?:ad|advertising|marketing)\s+(?:partners?|networks?|platforms?|agenc"
    r"(?:y|ies))|marketers?|insurers?|insurance\s+companies|(?:data\s+)?brokers?|third[\s-]"
    r"part(?:y|ies)|lenders?|employers?|landlords?|debt\s+collectors?|political\s+campaigns?)"
)
_SELLING_TO = (
    r"(?:target\w*\s+(?:\w+\s+){0,2}(?:ads?|adverts?|offers?|loans?|credit|promotions?|"
    rf"marketing|campaigns?)|target(?:s|ed|ing|ting)?\s+(?:\w+\s+)?{_PEOPLE}|market\w*\s+(?:\w+"
    r"\s+){0,2}to|advertis\w*\s+(?:\w+\s+){0,2}to|ads?\s+(?:at|to)|upsell\w*|sell\w*\s+(?:\w+"
    r"\s+){0,3}to|lend\w*\s+(?:\w+\s+)?to|push\w*\s+(?:\w+\s+){0,2}(?:loans?|credit|offers?|"
    r"upgrades?|ads?|bets?|top-?ups?)|aim\w*\s+(?:\w+\s+){0,2}at)"
)

MANIPULATIONS: tuple[Manipulation, ...] = (
    _kind(
        "a dark pattern",
        "dark confirm confirmshaming confirmshame confirmshames confirmshamed guilt guilttrip "
        "guilttrips guilttripping pre preticked pretick prechecked precheck preselected preselect "
        "preselects preselecting prechecks prechecking sneak sneaks sneaked sneaking sneaky "
        "sneakily trick tricks tricked tricking tricky trickery mislead misleads misleading misled "
        "deceive deceives deceived deceiving deceptive dupe dupes duped duping manipulate "
        "manipulates manipulated manipulating manipulation manipulative disguise disguises "
        "disguised disguising hidden drip bait",
        r"\bdark\s+patterns?\b|\bconfirm-?sham\w*|\bguilt[\s-]?trip\w*"
        r"|\bpre-?ticked\b|\bpre-?(?:tick|check|select)(?:ed|s|ing)?\s+(?:\w+\s+){0,3}(?:box(?:es)?|"
        r"consent|opt-?ins?|add-?ons?|extras?|insurance|newsletters?|marketing|donations?|tips?|"
        r"upgrades?|subscriptions?)\b"
        r"|\bsneak(?:s|ed|ing|y|ily)?\b(?!\s+(?:peeks?|previews?)\b)"
        rf"|\b(?:trick|mislead|misled|deceiv|dupe|duping|manipulat)\w*\s+(?:\w+\s+)?{_PEOPLE}\b"
        r"|\bdeceptive\b|\bdisguis\w+\s+(?:\w+\s+)?(?:ads?|adverts?|sponsored|fees?|charges?)\b"
        r"|\b(?:ads?|adverts?|fees?|charges?)\s+disguised\b"
        r"|(?<!\bno\s)(?<!without\s)(?<!never\s)\bhidden\s+(?:fees?|costs?|charges?|extras?)\b"
        r"|\bdrip[\s-]pricing\b|\bbait[\s-]and[\s-]switch\b",
        unless=r"\b(?:cut|remov|end|ban|eliminat|expos|uncover|find|spot|fewer|reduc|stop)\w*\s+"
        r"(?:\w+\s+){0,2}(?:hidden|dark|deceptive|sneaky)\b",
    ),
    # The way to say no, written so that saying it shames the person.
    _kind(
        "confirmshaming",
        "i",
        rf"{_QUOTE}(?:no(?:\s+thanks|\s+thank\s+you)?|nope|nah|not\s+now|maybe\s+later|skip"
        r"(?:\s+\w+)?)\b[\s,.!…—–-]*i\b"
        rf"|{_QUOTE}i\s+(?:don'?t|don’t|do\s+not|never)\s+(?:care|need|like)\b"
        rf"|{_QUOTE}i\s+(?:don'?t|don’t|do\s+not)\s+want\s+to\s+(?:save|win|learn|improve|grow"
        r"|earn|know|stay|get\s+better|be\s+(?:healthy|healthier|safe|safer|better|rich))"
        rf"|{_QUOTE}i(?:'d|’d|\s+would)\s+rather\b"
        rf"|{_QUOTE}i(?:'m|’m|\s+am)\s+(?:fine|happy|ok|okay|content)\s+(?:with\s+|to\s+)?"
        r"(?:pay|paying|miss|missing|lose|losing|stay|staying|being|wasting|not|full)"
        rf"|{_QUOTE}i\s+(?:prefer|like|love|enjoy|hate)\s+(?:to\s+)?(?:pay|paying|miss|missing"
        r"|lose|losing|waste|wasting|being|full\s+price|saving|savings|discounts?|deals?)",
    ),
    # A clock that starts again, a deadline said every day, scarcity nobody counted.
    _kind(
        "false urgency",
        "countdown countdowns timer timers clock clocks deadline deadlines endless perpetual never "
        "sale sales last limited end ends only just fake fakes faked invent invents invented "
        "inventing fabricate fabricates fabricated fabricating fabrication fabrications made false "
        "artificial manufacture manufactures manufactured manufacturing",
        r"\b(?:countdowns?|timers?|clocks?|deadlines?)\b[^.]{0,40}?\b(?:re-?starts?|re-?starting"
        r"|resets?|resetting|loops?|looping|starts?\s+(?:again|over))\s+(?:\w+\s+)?(?:on|at|for|"
        r"with|every|each|per|whenever|when|after)\s+(?:\w+\s+){0,2}(?:visits?|visitors?|pages?|"
        r"reloads?|refresh\w*|sessions?|log-?ins?|loads?|views?|customers?|users?|shoppers?|time)"
        r"\b|\bcountdowns?\b[^.]{0,40}?\b(?:re-?starts?|resets?)\s+(?:every|each)\s+(?:day|night"
        r"|morning|week)\b"
        r"|\b(?:never[\s-]ending|endless|perpetual|fake)\s+(?:countdowns?|timers?|deadlines?|"
        r"(?:flash\s+)?sales?|last[\s-]chance)"
        r"|\b(?:ends?\s+(?:today|tonight|soon)|last\s+chance|limited[\s-]time)\b[^.]{0,40}?\b"
        r"(?:every|each)\s+(?:day|week|visit|page|time|morning|night)\b"
        r"|\b(?:show|shows|showing|display\w*|add|adding|put|flash\w*|banners?|badges?|labels?"
        r"|messages?|warnings?|pop-?ups?|notices?|tell|telling|say|saying|claim\w*)\b[^.]{0,40}?"
        rf"\b(?:only|just)\s+{_FEW}\s+{_NOT_TIME}(?:\w+\s+){{0,2}}(?:left|remaining|in\s+stock)\b"
        rf"|{_QUOTE}(?:only|just)\s+{_FEW}\s+{_NOT_TIME}(?:\w+\s+){{0,2}}(?:left|remaining|in\s+"
        r"stock)\b"
        r"|\bmanufactur(?:e|es|ed|ing)\s+(?:a\s+)?(?:sense\s+of\s+)?(?:scarcity|urgency)\b"
        r"|\b(?:fake[sd]?|invent(?:s|ed|ing)?|fabricat\w*|made[\s-]up|false|artificial(?!\s+"
        r"intelligence))\b[^.]{0,40}?\b(?:scarcity|urgency|reviews?|"
        r"ratings?|countdowns?|timers?|testimonials?|deadlines?)\b"
        r"|\b(?:fake[sd]?|invent(?:s|ed|ing)?|fabricat\w*|made[\s-]up)\b[^.]{0,40}?\b(?:stock|"
        r"warnings?|discounts?|demand|left|sold[\s-]out)\b",
        unless=r"\b(?:real|actual|true|live|genuine|accurate)\s+(?:stock|inventory|availability"
        r"|numbers?|counts?|levels?)\b|\bwhen\s+(?:stock|inventory)\b|\b(?:remov|detect|catch|"
        r"block|stop|flag|spot|fight|ban|prevent|report|fewer|no|zero|without|cut|reduc|halv)"
        r"\w*\s+(?:\w+\s+){0,2}(?:fake[sd]?|false|fabricated|invented|artificial|made[\s-]up)\b",
    ),
    # Leaving made harder than joining: hidden, buried, small and grey, by phone or post only,
    # more steps than signing up took.
    _kind(
        "leaving made hard",
        f"{_EXIT_WORDS} harder hide hides hiding hidden bury buries burying buried obscure "
        "obscures obscured obscuring tuck tucks tucked tucking",
        r"\b(?:hide|hides|hiding|hidden|bury|buries|burying|buried|obscur\w*|tuck\w*\s+away)\s+"
        rf"(?:\w+\s+){{0,3}}{_EXIT_CONTROLS}"
        rf"|\b{_EXITS}\b[^.]{{0,40}}?\b(?:harder|difficult|hard|(?:screens?|clicks?|steps?|"
        r"pages?|levels?|menus?)\s+deep|impossible|(?:more|extra|additional|several)\s+(?:\w+\s+)?"
        r"(?:steps?|screens?|clicks?|pages?|hoops|forms?|questions|calls?)|maze|obstacles?)\b"
        r"|\b(?:harder|more\s+difficult|more\s+tedious|slower|impossible)\s+(?:for\s+(?:\w+\s+)"
        r"{1,2})?to\s+(?:cancel|unsubscribe|opt[\s-]?out|leave|delete|close|downgrade|return"
        r"|get\s+(?:a\s+|their\s+)?refunds?)\b"
        rf"|\b{_EXITS}\b[^.]{{0,40}}?\bonly\s+(?:by|via|through|over|on|in|at)\s+(?:(?:sending|"
        r"writing|making|visiting|posting)\s+)?(?:the\s+|a\s+)?(?:phone|telephone|post|letter|"
        r"mail|fax|person|branch|calling|calls?|writing)\b"
        r"|\b(?:more|extra|additional|several)\s+(?:\w+\s+)?(?:steps?|screens?|clicks?|hoops|"
        r"questions|forms?|pages?)\s+(?:\w+\s+){0,2}(?:to|in|into|before|on)\s+(?:the\s+|their\s+|"
        rf"each\s+|every\s+)?{_EXITS}\b"
        rf"|\b{_EXITS}\b[^.]{{0,40}}?\b(?:by|via|through|over)\s+(?:phone|telephone|post|"
        r"letter|fax)\s+only\b"
        r"|\b(?:requir\w*|must|force\w*)\s+(?:\w+\s+){0,3}(?:a\s+)?(?:phone\s+call|call|letter|"
        r"visit|fax)\s+to\s+(?:cancel|unsubscribe|opt[\s-]?out|leave|close|delete|get\s+a\s+refund)"
        rf"|\b{_EXIT_CONTROLS}\s+(?:\w+\s+)?(?:links?|buttons?|options?|text)\b[^.]{{0,30}}?\b(?:tiny|"
        r"small|smaller|grey|gray|faint|hidden|invisible|low[\s-]contrast|pale)\b"
        r"|\b(?:tiny|smaller|small|grey|gray|faint|invisible|low[\s-]contrast|pale)\s+(?:\w+\s+)?"
        rf"{_EXIT_CONTROLS}\s+(?:links?|buttons?|options?)\b",
        unless=r"\b(?:remov|cut|drop|fewer|reduc|simplif|eas|skip)\w*\s+(?:\w+\s+){0,2}(?:steps?|"
        r"screens?|clicks?|hoops|questions|forms?|pages?)\b|\b(?:no|not|never)\s+(?:\w+\s+){0,2}"
        r"(?:harder|more\s+(?:\w+\s+)?(?:steps?|clicks?|screens?|difficult))\b",
    ),
    # Fear of losing something held over people: a streak, missing out.
    _kind(
        "loss-aversion pressure",
        "streak streaks fear fomo loss",
        rf"\bstreaks?\b[^.]{{0,40}}?{_PRESSURE}|{_PRESSURE}[^.]{{0,40}}?\bstreaks?\b"
        r"|\bstreak-?loss\b|\bfear\s+of\s+(?:losing|missing|falling)\b|\bfomo\b"
        r"|\bloss[\s-]aversion\b",
    ),
    # Use people cannot stop, and bets chased after a loss.
    _kind(
        "compulsive use",
        "addictive addicted addicting hooked compulsive compulsively stop quit down bet bets "
        "betting gamble gambles gambled gambling gambler gamblers wager wagers wagered wagering "
        "play playing player players punter punters spin spins offer offers bonus bonuses odds "
        "spend spends spending spender spenders deposit deposits deposited depositing exploit "
        "exploits exploited exploiting exploitation exploitative",
        r"\b(?:make|makes|making|keep|keeps|keeping|get|gets|getting|more|most|so|as|until|an?)"
        r"\s+(?:\w+\s+){0,2}(?:addictive|addicted|addicting|hooked)\b"
        r"|\baddictive\s+(?:by\s+design|loops?|features?|mechanics?|design|feeds?|games?|apps?)\b"
        r"|\bcompulsive(?:ly)?\s+(?:\w+\s+)?(?:use|usage|checking|scrolling|refreshing|opening|"
        r"engagement|check|scroll|refresh|open)\b"
        r"|\b(?:can'?t|can’t|cannot|never|unable\s+to|won'?t|won’t)\s+(?:\w+\s+){0,2}(?:stop|quit)"
        r"\s+(?:scrolling|playing|watching|swiping|betting|gambling|checking|refreshing|spending)"
        r"|\b(?:never|can'?t|can’t|cannot|won'?t|won’t|unable\s+to)\s+(?:\w+\s+){0,3}put\s+(?:the|"
        r"their|his|her|your|our)\s+(?:controllers?|phones?|tablets?|devices?|screens?|games?|"
        r"apps?|consoles?)\s+down\b"
        r"|\b(?:bet|bets|betting|gambl\w+|wager\w*|play|playing|players?|punters?|spins?|spend\w*|"
        r"deposit\w*|offers?|bonus\w*|odds)\b[^.]{0,40}?\b(?:after\s+(?:a\s+|each\s+|every\s+|"
        r"their\s+)?(?:loss|losses|losing)\b(?!\s+of\b)|chas\w+\s+(?:their\s+)?loss\w*)"
        r"|\bexploit\w*\s+(?:[\w'’]+\s+)?(?:users?|customers?|people|players|children|kids|the\s+"
        r"vulnerable|vulnerable\s+\w+|weakness\w*|loneliness|impulses?|fears?|insecurit\w+)",
    ),
    # Selling to people who cannot afford it, or pushing them further into debt.
    _kind(
        "pushing people into debt",
        "target targets targeted targeting targetting market markets marketed marketing marketer "
        "marketers advertise advertises advertised advertising advertiser advertisers "
        "advertisement advertisements ad ads upsell upsells upselling sell sells selling seller "
        "sellers lend lends lending lender lenders push pushes pushed pushing aim aims aimed "
        "aiming debt debts overdraft overdrafts arrears overspend overspends overspending over "
        "spend spending borrow borrows borrowed borrowing bet bets betting deposit deposits "
        "deposited depositing",
        rf"\b{_SELLING_TO}\b[^.]{{0,40}}?\b(?:(?:already\s+)?in\s+(?:debt|arrears|financial\s+"
        r"(?:difficulty|trouble|hardship))|behind\s+on\s+(?:their\s+)?(?:payments|bills|rent|"
        r"mortgage)|(?:can(?:not|'t|’t)|unable\s+to)\s+afford|maxed[\s-]out|problem\s+gamblers?"
        r"|payday)\b"
        r"|\b(?:push|nudg|lead|tempt|get|driv|lur|encourag)\w*\s+(?:\w+\s+){0,3}(?:deeper\s+)?"
        r"into\s+(?:an?\s+|more\s+|their\s+)?(?:debt|overdraft|arrears|overspend\w*)"
        r"|\b(?:encourag|push|nudg|driv|tempt)\w*\s+(?:\w+\s+){0,2}over-?spend\w*"
        r"|\b(?:spend|borrow|bet|deposit)\w*\s+(?:\w+\s+){0,2}(?:more\s+than\s+they\s+(?:can\s+"
        r"afford|have|planned|meant)|beyond\s+their\s+means)",
        unless=r"\b(?:help\w*|support\w*|advice|advis\w+|hardship\s+(?:funds?|grants?|plans?)|grants?"
        r"|payment\s+(?:holidays?|breaks?|plans?)|repayment\s+plans?|forgiv\w+|waiv\w+|freez\w+|"
        r"half[\s-]price|discount\w*|cheaper|reduced\s+(?:prices?|fares?|rates?)|social\s+tariffs?|"
        r"for\s+free)\b",
    ),
    _kind(
        "data without consent",
        "without",
        r"\bwithout\s+(?:(?:their|them|asking|for|getting|seeking|explicit|prior|informed|clear|"
        r"user|users|customer|customers|people's|patients'|a|an|any)\s+)*(?:consent|permission|"
        r"knowing|noticing|knowledge|opt-?ins?)\b",
    ),
    # Personal data sold, turned into money, or handed to those who profit from it.
    _kind(
        "data sold or shared beyond consent",
        _PERSONAL_DATA_WORDS,
        r"\b(?:sell|sells|selling|sold|monetis\w*|monetiz\w*|rent\w*\s+out|licen[cs]\w*|trad(?:e|es"
        rf"|ed|ing)|cash\s+in\s+on)\s+(?:\w+\s+){{0,2}}{_WHOSE}\s+(?:\w+\s+){{0,2}}"
        rf"{_PERSONAL_DATA}\b"
        rf"|\b{_PERSONAL_DATA}\b[^.]{{0,40}}?\b(?:to|with|for)\s+(?:the\s+|our\s+|an?\s+|any\s+)?"
        rf"{_DATA_BUYERS}\b"
        r"|\b(?:give|gives|giving|grant\w*|open\w*|send\w*|hand\w*|offer\w*)\s+(?:the\s+|our\s+|"
        rf"an?\s+)?{_DATA_BUYERS}\s+(?:(?:full\s+)?access\s+to\s+)?(?:[\w'’]+\s+){{0,3}}"
        rf"{_PERSONAL_DATA}\b"
        rf"|\b{_PERSONAL_DATA}\b[^.]{{0,30}}?\b(?:(?:into|as|becomes?)\s+(?:an?\s+|our\s+)?(?:new\s+)?"
        r"(?:revenue|income|profit|money|cash)|(?:revenue|income|profit)\s+(?:streams?|sources?|"
        r"lines?)|sources?\s+of\s+(?:revenue|income|profit)|for\s+(?:profit|money|cash))",
        unless=r"\b(?:with|after|given|under)\s+(?:\w+\s+){0,2}(?:consent|permission|opt-?ins?)\b"
        r"|\bopted[\s-]in\b|\bwho\s+(?:opt|agree|consent)\w*|\banonymi[sz]ed\b|\baggregated?\b"
        r"|\bde-?identified\b|\b(?:they|users|customers|people|patients)\s+(?:choose|chose|pick"
        r"|ask|request)\b|\bon\s+request\b|\btheir\s+(?:own\s+)?choice\b",
    ),
)
# Most goals hold none of these words and are passed over with one lookup.
_ANY_WORD = frozenset().union(*(kind.words for kind in MANIPULATIONS))


def goal_is_unethical(draft: GoalDraft) -> str | None:
    words = draft.words()
    if _ANY_WORD.isdisjoint(words):
        return None
    for kind in MANIPULATIONS:
        found = kind.find(draft.title, words)
        if found is not None:
            return (
                f"“{found}” reaches the number by working against the people it serves "
                f"({kind.name}): the method asks for goals people would agree to if they saw "
                "them."
            )
    return None
