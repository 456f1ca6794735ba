"""API shapes of comments, insights, watching, feedback rounds, notifications and the feed."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from goals.api.serializers.common import DateInWindowField, IsSetField, MeasureField, id_field
from goals.models import (
    COMMENT_MAX_LENGTH,
    MEASURE_DIGITS,
    MEASURE_PLACES,
    Comment,
    EmailFrequency,
    FeedbackAnswer,
    InsightKind,
    NotificationKind,
)


class CommentTextField(serializers.CharField):
    """A comment's text, empty once the comment was removed (its row stays as a placeholder)."""

    def get_attribute(self, instance: Comment) -> str | None:
        return "" if instance.deleted_at is not None else super().get_attribute(instance)


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    goal = serializers.IntegerField(read_only=True, allow_null=True, source="goal_id")
    proposal = serializers.IntegerField(read_only=True, allow_null=True, source="proposal_id")
    parent = id_field(  # type: ignore[assignment]  # a field named like Field.parent
        foreign_key=True,
        required=False,
        allow_null=True,
        help_text="Reply to this comment. Threads are one level deep: a reply to a reply "
        "joins its thread.",
    )
    author = serializers.IntegerField(read_only=True, allow_null=True, source="author_id")
    author_name = serializers.CharField(read_only=True, allow_null=True, source="author.name")
    body = CommentTextField(
        allow_blank=True,
        trim_whitespace=False,
        help_text=f"Markdown, 1 to {COMMENT_MAX_LENGTH:,} characters. Mention product members "
        "with @email or @display name. Empty once the comment was removed.",
    )
    body_html = CommentTextField(read_only=True, help_text="The body, sanitised.")
    mentions = serializers.SerializerMethodField(help_text="Ids of people mentioned.")
    created_at = serializers.DateTimeField(read_only=True, format=None)
    edited = IsSetField(read_only=True, source="edited_at")
    edited_at = serializers.DateTimeField(read_only=True, allow_null=True, format=None)
    resolved = IsSetField(
        read_only=True, source="resolved_at", help_text="For a thread's first comment."
    )
    resolved_at = serializers.DateTimeField(read_only=True, allow_null=True, format=None)
    resolved_by = serializers.IntegerField(read_only=True, allow_null=True, source="resolved_by_id")
    deleted = IsSetField(
        read_only=True, source="deleted_at", help_text="Removed: kept as a placeholder."
    )

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_mentions(self, comment: Comment) -> list[int]:
        return sorted(user.pk for user in comment.mentions.all())


class CommentUpdateSerializer(serializers.Serializer):
    body = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The author only.",
    )
    resolved = serializers.BooleanField(
        required=False,
        help_text="Resolve or reopen a thread (its first comment): its author, the team, "
        "the leaders.",
    )


class InsightSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    goal = serializers.IntegerField(read_only=True, source="goal_id")
    kind = serializers.ChoiceField(choices=InsightKind.choices)
    summary = serializers.CharField(allow_blank=True, help_text="What was found.")
    source = serializers.CharField(  # type: ignore[assignment]  # named like Field.source
        allow_blank=True, help_text="Where it comes from: a study, report, dashboard (a URL)."
    )
    value = MeasureField(
        max_digits=MEASURE_DIGITS,
        decimal_places=MEASURE_PLACES,
        required=False,
        allow_null=True,
        help_text="Required for quantitative insights, absent for qualitative ones.",
    )
    unit = serializers.CharField(required=False, allow_blank=True, default="")
    author = serializers.IntegerField(read_only=True, allow_null=True, source="author_id")
    author_name = serializers.CharField(read_only=True, allow_null=True, source="author.name")
    created_at = serializers.DateTimeField(read_only=True, format=None)


class WatchSerializer(serializers.Serializer):
    watching = serializers.BooleanField()


class FeedbackRoundInputSerializer(serializers.Serializer):
    people = serializers.ListField(
        child=id_field(), max_length=200, help_text="User ids of the product members to ask."
    )
    deadline = DateInWindowField(help_text="Answers are due by the end of this day.")
    question = serializers.CharField(required=False, allow_blank=True, default="")


class FeedbackAnswerInputSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=FeedbackAnswer.choices)
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required with concerns or an objection.",
    )


class FeedbackAnswerSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField(source="person.name")
    answer = serializers.ChoiceField(choices=FeedbackAnswer.choices, allow_blank=True)
    comment = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True, format=None)


class FeedbackSummarySerializer(serializers.Serializer):
    support = serializers.IntegerField()
    concerns = serializers.IntegerField()
    object = serializers.IntegerField()
    no_answer = serializers.IntegerField()


class PersonSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField(source="person.name")


class FeedbackRoundSerializer(serializers.Serializer):
    """A round as the reader may see it: leaders see every answer and who has not answered;
    an asked person sees their own answer."""

    id = serializers.IntegerField(source="round.pk")
    goal = serializers.IntegerField(source="round.goal_id")
    goal_title = serializers.CharField(source="round.goal.title")
    requested_by = serializers.IntegerField(allow_null=True, source="round.requested_by_id")
    requested_by_name = serializers.CharField(allow_null=True, source="round.requested_by.name")
    question = serializers.CharField(source="round.question")
    deadline = serializers.DateField(source="round.deadline")
    open = serializers.BooleanField(help_text="Answers can change while the round is open.")
    created_at = serializers.DateTimeField(source="round.created_at", format=None)
    closed_at = serializers.DateTimeField(allow_null=True, source="round.closed_at", format=None)
    people = PersonSerializer(many=True, help_text="Everyone asked.", source="requests")
    my_answer = FeedbackAnswerSerializer(
        allow_null=True, help_text="Yours, if you were asked.", source="mine"
    )
    answers = FeedbackAnswerSerializer(many=True)
    not_answered = PersonSerializer(many=True, allow_null=True, help_text="Leaders only.")
    summary = FeedbackSummarySerializer(allow_null=True, help_text="Leaders only.")


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    text = serializers.CharField()
    excerpt = serializers.CharField()
    url = serializers.CharField(help_text="Where it happened: a path on this site.")
    actor = serializers.IntegerField(allow_null=True, source="actor_id")
    actor_name = serializers.CharField(allow_null=True, source="actor.name")
    product = serializers.IntegerField(source="product_id")
    goal = serializers.IntegerField(allow_null=True, source="goal_id")
    comment = serializers.IntegerField(allow_null=True, source="comment_id")
    created_at = serializers.DateTimeField(format=None)
    read = IsSetField(source="read_at")
    read_at = serializers.DateTimeField(allow_null=True, format=None)


class NotificationReadSerializer(serializers.Serializer):
    read = serializers.BooleanField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were marked read.")


class PreferencesSerializer(serializers.Serializer):
    email_notifications = serializers.ChoiceField(
        choices=EmailFrequency.choices,
        help_text="immediately (the default), daily (one digest a day) or off (inbox only).",
    )


class ActivitySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["goal_change", "check_in", "comment", "insight", "feedback_round", "decision"]
    )
    at = serializers.DateTimeField(format=None)
    actor = serializers.IntegerField(allow_null=True, source="actor.pk")
    actor_name = serializers.CharField(
        allow_null=True, help_text="A person's name, or what acted when no person did."
    )
    action = serializers.CharField(help_text='What the actor did, e.g. "commented on".')
    subject = serializers.CharField(help_text="The goal's or proposal's title.")
    after = serializers.CharField(
        help_text='What follows the subject, e.g. " as achieved": actor_name, action, subject '
        "and after read as one sentence."
    )
    goal = serializers.IntegerField(allow_null=True, source="goal_id")
    url = serializers.CharField()
    detail = serializers.CharField(help_text="A short quote: the comment, reason or finding.")
