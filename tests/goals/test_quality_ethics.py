"""The rule `unethical` (goals/rules/quality_ethics.py) on sentences of its own, none from the
labelled corpus: several of each kind of manipulation it must flag, written the many ways
teams put it, and goals that sit close to one and serve people, which it must let pass."""

from __future__ import annotations

import pytest

from goals.rules.quality import QualitySettings, goal_advice
from goals.rules.quality_drafts import GoalDraft
from goals.rules.quality_ethics import MANIPULATIONS, goal_is_unethical
from tests.goals.quality_corpus import CORPUS

FLAGGED = {
    "a dark pattern": [
        ("product", "Use dark patterns in checkout to lift add-on sales by 8 %"),
        ("sprint", "Pre-select the travel insurance box on the booking form"),
        ("sprint", "Sneak a donation to the charity into every basket"),
        ("business", "Grow ad revenue by disguising sponsored posts as reviews"),
        ("product", "Trick visitors into starting a paid trial with a look-alike free button"),
        ("user", "Show hidden fees only on the last step of checkout"),
    ],
    "confirmshaming": [
        ("sprint", "Label the decline link “No thanks, I hate saving money”"),
        (
            "product",
            "Raise newsletter sign-ups to 40 % with a 'Nope, I prefer to stay uninformed' option",
        ),
        ("sprint", 'Change the opt-out text to "I\'d rather pay full price"'),
        ("product", "Word the skip button 'I don't care about my family's safety'"),
        ("sprint", "Make the dismiss link say “I'm fine paying more”"),
    ],
    "false urgency": [
        ("sprint", "Show a 15-minute timer on the deal page that resets for every visitor"),
        ("product", "Lift bookings 12 % with a countdown that starts over on each page load"),
        ("sprint", "Add a 'Sale ends tonight' banner every day this month"),
        ("product", "Display 'only 3 seats left' on every flight to speed up decisions"),
        ("sprint", "Put “just 1 left in stock” badges on the top 50 products"),
        ("business", "Grow impulse purchases by 10 % with fake low-stock warnings"),
        ("product", "Manufacture a sense of urgency on the pricing page"),
    ],
    "leaving made hard": [
        ("sprint", "Hide the unsubscribe option behind the help centre"),
        ("product", "Move cancellation three menus deep to keep 5 % more members"),
        ("business", "Cut refunds by 30 % by making them harder to claim"),
        ("sprint", "Members can close their account only by sending a letter"),
        ("product", "Require a phone call to cancel the premium plan"),
        ("sprint", "Make the opt-out button small and grey on the consent screen"),
        ("product", "Add three extra steps to the downgrade flow to keep revenue"),
        ("business", "Make it harder for customers to get a refund"),
    ],
    "loss-aversion pressure": [
        ("user", "Learners open the app daily out of fear of losing their progress"),
        ("sprint", "Send a red alarm notification when a user's streak is about to end"),
        ("product", "Lift daily actives 20 % by threatening to wipe streaks after one missed day"),
        ("product", "Use FOMO messages to bring lapsed players back"),
        ("business", "Grow renewals by playing on loss aversion in the reminder emails"),
    ],
    "compulsive use": [
        ("vision", "Everyone keeps scrolling and can't stop scrolling our feed"),
        ("product", "Make the feed so addictive that sessions double"),
        ("user", "Kids never put their tablets down once they start"),
        ("sprint", "Offer free spins to players right after a loss"),
        ("business", "Exploit players' impulses to lift in-game spend"),
        ("product", "Drive compulsive checking of the app to 20 opens a day"),
    ],
    "pushing people into debt": [
        ("business", "Sell credit cards to students who cannot afford the repayments"),
        ("product", "Target loan offers at customers behind on their rent"),
        ("user", "Nudge members into an overdraft to earn more fees"),
        ("product", "Encourage shoppers to overspend with buy-now-pay-later at every step"),
        ("business", "Get borrowers to borrow more than they can afford"),
    ],
    "data without consent": [
        ("sprint", "Track users' locations in the background without their permission"),
        ("product", "Record calls without customers knowing to train the sales team"),
        ("sprint", "Import everyone's contacts without asking for consent"),
    ],
    "data sold or shared beyond consent": [
        ("business", "Earn €500k by licensing members' health data"),
        ("product", "Pass listeners' search history to ad networks"),
        ("vision", "Every patient's records become a source of income for us"),
        ("business", "Monetise our customers' purchase histories with data brokers"),
        ("sprint", "Sync guests' phone numbers to our marketing partners and to third parties"),
        ("user", "Give employers access to their staff's step counts to cut premiums"),
    ],
}
PASSES = [
    ("sprint", "Cancel in two clicks from the account page"),
    ("sprint", "Only 2 weeks left to finish the beta"),
    ("product", "Share anonymised data with researchers with explicit consent"),
    ("user", "Members can cancel any time in two clicks"),
    ("sprint", "Refunds arrive within 3 days of a return"),
    ("product", "Show 'only 3 left' when stock is really that low"),
    ("sprint", "Remove fake reviews within a day of their posting"),
    ("business", "Halve false fraud warnings on card payments"),
    ("user", "People with a gambling addiction reach a counsellor within a day"),
    ("user", "Learners can freeze their streak when they are ill"),
    ("sprint", "Give beta users a sneak peek of the new planner"),
    ("product", "Customers see every fee upfront, with no hidden fees at checkout"),
    ("user", "Patients export their records to any app they choose"),
    ("product", "Help people in debt find a repayment plan in one call"),
    ("business", "Cut the number of loans in arrears by half"),
    ("sprint", "The workout timer restarts when you pause"),
    ("sprint", "Users can reset the timer for each exercise"),
    ("product", "Use artificial intelligence to rank reviews by usefulness"),
    ("user", "Players take a break without losing their progress"),
    ("sprint", "Warn customers before they lose unsaved work"),
    ("business", "Cut manufacturing defects reported in reviews by half"),
    ("sprint", "Customers who say “I don't want calls” are never called"),
    ("user", "Readers say “I want to read the next chapter” for 60 % of our books"),
    ("sprint", "Make the cancel button as big and clear as the sign-up button"),
    ("product", "Daily deals reset at midnight for every shopper"),
    ("sprint", "Send opted-in users a weekly summary of their own purchase history"),
    ("business", "Sell our data platform to 30 hospitals"),
    ("user", "Pensioners switch to a cheaper tariff without calling us"),
    ("product", "Cut the steps to return an order from 6 to 2"),
    ("sprint", "Shoppers who leave the basket get one reminder, never more"),
    ("user", "Fewer prescriptions of addictive painkillers, down 30 %"),
    ("business", "Security testers exploit vulnerabilities before attackers do"),
    ("sprint", "Remove two extra steps in the cancel flow"),
    ("user", "Cancelling never takes more clicks than signing up"),
    ("user", "Cancelling is no harder than signing up"),
    ("business", "Cut hidden costs in the supply chain by 10 %"),
    ("product", "Sell train tickets to people in financial hardship at half price"),
    ("product", "Target customers behind on payments with a payment holiday"),
    ("user", "Learners keep their streak without pressure to study daily"),
    ("product", "Send lenders the documents customers upload, with their consent"),
    ("user", "Patients share their records with the GP of their choice"),
    ("sprint", "Students can return books without queueing"),
    ("business", "Sell more to customers who can afford to upgrade"),
    ("user", "Players are offered a break after a loss of connection"),
    ("vision", "Nobody ever loses their home because of a missed payment"),
    ("user", "Members pick which messages they get, and stop them in one tap"),
    ("product", "Opt-in rate for health reminders rises from 20 % to 35 %"),
    ("sprint", "Customers can download all their data in one file"),
    ("business", "Only 5 % of subscribers leave in their first year"),
    ("sprint", "Show how many seats are left on each train, from the live booking system"),
]


@pytest.mark.parametrize(
    ("kind", "level", "title"),
    [(kind, level, title) for kind, cases in FLAGGED.items() for level, title in cases],
)
def test_it_flags_each_kind_of_manipulation_however_it_is_put(kind, level, title):
    message = goal_is_unethical(GoalDraft(level=level, title=title))
    assert message is not None
    assert f"({kind})" in message
    advice = goal_advice(GoalDraft(level=level, title=title), QualitySettings())
    assert "unethical" in {a.code for a in advice}


@pytest.mark.parametrize(("level", "title"), PASSES)
def test_it_lets_a_goal_that_serves_people_pass(level, title):
    assert goal_is_unethical(GoalDraft(level=level, title=title)) is None


def test_every_kind_has_examples_here():
    assert set(FLAGGED) == {kind.name for kind in MANIPULATIONS}
    assert all(len(cases) >= 3 for cases in FLAGGED.values())
    corpus = {case.statement for case in CORPUS}
    assert corpus.isdisjoint(title for cases in FLAGGED.values() for _, title in cases)
    assert corpus.isdisjoint(title for _, title in PASSES)


def test_the_message_quotes_what_it_saw():
    title = "Show “only 3 seats left” on every flight"
    message = goal_is_unethical(GoalDraft(level="product", title=title))
    assert message is not None and message.startswith("“only 3 seats left” reaches the number")


def test_no_kind_skips_a_sentence_its_pattern_would_flag():
    # The word lists let a kind pass over most goals unread: a sentence its pattern matches
    # must hold one of its words, or the list has missed a form of a word the pattern reads.
    sentences = [(case.level, case.statement) for case in CORPUS] + PASSES
    sentences += [case for cases in FLAGGED.values() for case in cases]
    for level, title in sentences:
        words = GoalDraft(level=level, title=title).words()
        for kind in MANIPULATIONS:
            if kind.pattern.search(title):
                assert not kind.words.isdisjoint(words), (kind.name, title)
