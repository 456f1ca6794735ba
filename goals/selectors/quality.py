"""Reads for goal quality: the advice on a goal or proposal as it is typed, and what each
rule finds in a product's chain for the health page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from goals.models import OPEN_STATUSES, Goal, Level, Product
from goals.rules.quality import (
    RULES,
    Advice,
    GoalRule,
    ProductRule,
    QualitySettings,
    draft_advice,
    goal_advice,
    product_advice,
)
from goals.rules.quality_drafts import GoalDraft, Surroundings, surroundings_of
from goals.selectors.chain import Chain

# As people type -------------------------------------------------------------------------------


def draft_quality(
    product: Product, draft: GoalDraft, *, today: date, editing: int | None = None
) -> list[Advice]:
    """The goal-quality advice on a goal or proposal as typed so far, in the product's
    settings and among its other open goals (`editing`: the saved goal being edited)."""
    others = quality_surroundings(product, today=today, exclude=editing)
    return draft_advice(draft, QualitySettings.of(product), others, today=today)


def quality_surroundings(product: Product, *, today: date, exclude: int | None) -> Surroundings:
    """The product's open goals counted for the product rules, leaving out the goal being
    edited (it is counted as typed). One query."""
    goals = Goal.objects.filter(product=product, status__in=OPEN_STATUSES)
    if exclude is not None:
        goals = goals.exclude(pk=exclude)
    current = Q(level=Level.PRODUCT) & (Q(starts_on__isnull=True) | Q(starts_on__lte=today))
    current &= Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    counts = goals.aggregate(
        product=Count("pk", filter=current),
        user=Count("pk", filter=Q(level=Level.USER)),
        business=Count("pk", filter=Q(level=Level.BUSINESS)),
    )
    return Surroundings(counts["product"], counts["user"], counts["business"])


# On the health page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleTally:
    """What one goal-quality rule finds in the chain today: the open goals it flags, or,
    for a rule about the whole product, whether it flags the product. For a rule switched
    off, what it would find if switched on."""

    rule: GoalRule | ProductRule
    on: bool
    flagged: int
    group: str  # the code of the group of findings that shows them on the page

    @property
    def about_goals(self) -> bool:
        return isinstance(self.rule, GoalRule)


def rule_tallies(chain: Chain) -> list[RuleTally]:
    """Every goal-quality rule with what it finds, in the order of RULES. The rules switched
    on are counted from the chain's findings; only the rules switched off are run again."""
    settings = QualitySettings.of(chain.product)
    flagged: dict[str, set[int | None]] = defaultdict(set)
    group = {rule.code: rule.code for rule in RULES}
    for finding in chain.findings:
        flagged[finding.code].add(finding.goal)
        for code in finding.also:
            flagged[code].add(finding.goal)
            group[code] = finding.code
    if settings.off:
        trial = settings.trying(settings.off)
        for goal in chain.goals:
            draft = GoalDraft.of(goal, chain.key_results.get(goal.id, ()))
            for advice in goal_advice(draft, trial):
                if advice.code in settings.off:
                    flagged[advice.code].add(goal.id)
        around = surroundings_of(chain.goals, today=chain.today)
        for advice in product_advice(around, trial):
            if advice.code in settings.off:
                flagged[advice.code].add(None)
    return [
        RuleTally(rule, rule.code not in settings.off, len(flagged[rule.code]), group[rule.code])
        for rule in RULES
    ]
