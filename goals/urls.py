from django.urls import path

from goals.views import (
    auth,
    boards,
    calendar,
    comments,
    feedback,
    goals,
    home,
    metrics,
    notifications,
    organizations,
    products,
    reviews,
    webhooks,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("password-reset/", auth.password_reset, name="password_reset"),
    path("password-reset/sent/", auth.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/done/", auth.password_reset_complete, name="password_reset_complete"),
    path("invitations/<str:token>/", auth.invitation_accept, name="invitation-accept"),
    path("organizations/new/", home.organization_new, name="organization-new"),
    path("organizations/<int:pk>/", organizations.organization, name="organization"),
    path("organizations/<int:pk>/edit/", organizations.organization_edit, name="organization-edit"),
    path(
        "organizations/<int:pk>/members/", organizations.member_invite, name="organization-invite"
    ),
    path(
        "organizations/<int:pk>/members/<int:member_id>/role/",
        organizations.member_role,
        name="organization-member-role",
    ),
    path(
        "organizations/<int:pk>/members/<int:member_id>/remove/",
        organizations.member_remove,
        name="organization-member-remove",
    ),
    path(
        "organizations/<int:pk>/invitations/<int:invitation_id>/withdraw/",
        organizations.invitation_withdraw,
        name="organization-invitation-withdraw",
    ),
    path("organizations/<int:pk>/products/", organizations.product_new, name="product-new"),
    path(
        "organizations/<int:pk>/products/import/",
        organizations.product_import,
        name="product-import",
    ),
    path("products/<int:pk>/", products.product_chain, name="product-chain"),
    path("products/<int:pk>/branches/<str:key>/", products.product_branch, name="product-branch"),
    path("products/<int:pk>/goals/new/", products.goal_new, name="goal-new"),
    path("products/<int:pk>/members/", products.product_members, name="product-members"),
    path("products/<int:pk>/edit/", products.product_edit, name="product-edit"),
    path(
        "products/<int:pk>/integrations/",
        webhooks.integrations,
        name="product-integrations",
    ),
    path("webhooks/<int:pk>/", webhooks.webhook, name="webhook"),
    path("webhooks/<int:pk>/test/", webhooks.webhook_test, name="webhook-test"),
    path("webhooks/<int:pk>/delete/", webhooks.webhook_remove, name="webhook-delete"),
    path(
        "products/<int:pk>/members/<int:member_id>/role/",
        products.product_member_role,
        name="product-member-role",
    ),
    path(
        "products/<int:pk>/members/<int:member_id>/remove/",
        products.product_member_remove,
        name="product-member-remove",
    ),
    path(
        "products/<int:pk>/invitations/<int:invitation_id>/withdraw/",
        products.product_invitation_withdraw,
        name="product-invitation-withdraw",
    ),
    path("goals/<int:pk>/", goals.goal_detail, name="goal"),
    path("goals/<int:pk>/agreement/", goals.agreement_record, name="agreement-record"),
    path(
        "goals/<int:pk>/agreement/round/", goals.agreement_from_round, name="agreement-from-round"
    ),
    path("goals/<int:pk>/key-results/", goals.key_result_new, name="key-result-new"),
    path("key-results/<int:pk>/", goals.key_result_edit, name="key-result-edit"),
    path("key-results/<int:pk>/delete/", goals.key_result_delete, name="key-result-delete"),
    # Values from data: metric tokens, key results' data sources.
    path("products/<int:pk>/metric-tokens/", metrics.metric_tokens, name="metric-tokens"),
    path(
        "products/<int:pk>/metric-tokens/<int:token_id>/revoke/",
        metrics.metric_token_revoke,
        name="metric-token-revoke",
    ),
    path("key-results/<int:pk>/source/", metrics.data_source_save, name="data-source-save"),
    path("key-results/<int:pk>/source/fetch/", metrics.data_source_fetch, name="data-source-fetch"),
    path(
        "key-results/<int:pk>/source/remove/",
        metrics.data_source_remove,
        name="data-source-remove",
    ),
    # Conversations: comments, insights, watching, feedback rounds, notifications, activity.
    path("goals/<int:pk>/comments/", comments.goal_comments, name="goal-comments"),
    path("proposals/<int:pk>/comments/", comments.proposal_comments, name="proposal-comments"),
    path("comments/<int:pk>/edit/", comments.comment_edit, name="comment-edit"),
    path("comments/<int:pk>/delete/", comments.comment_delete, name="comment-delete"),
    path("comments/<int:pk>/resolve/", comments.comment_resolve, name="comment-resolve"),
    path("goals/<int:pk>/watch/", comments.goal_watch, name="goal-watch"),
    path("goals/<int:pk>/insights/", comments.insight_new, name="insight-new"),
    path("insights/<int:pk>/delete/", comments.insight_delete, name="insight-delete"),
    path("goals/<int:pk>/feedback/", feedback.feedback_round_new, name="feedback-round-new"),
    path("feedback/<int:pk>/", feedback.feedback_round, name="feedback-round"),
    path("feedback/<int:pk>/answer/", feedback.feedback_answer, name="feedback-answer"),
    path("feedback/<int:pk>/close/", feedback.feedback_round_close, name="feedback-round-close"),
    path("notifications/", notifications.inbox, name="notifications"),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications-read-all",
    ),
    path("notifications/<int:pk>/", notifications.notification_open, name="notification-open"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification-read"),
    path(
        "settings/notifications/", notifications.notification_settings, name="notification-settings"
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        notifications.notification_unsubscribe,
        name="notification-unsubscribe",
    ),
    path("products/<int:pk>/activity/", notifications.product_activity, name="product-activity"),
    # The personal calendar feed: its secret address is the key, no sign-in.
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar-feed"),
    path("settings/calendar/", calendar.calendar_settings, name="calendar-settings"),
    path("settings/calendar/stop/", calendar.calendar_stop, name="calendar-stop"),
    # Seeing alignment: health, quality checks, Vision Board, roadmap, sprints, portfolio.
    path("products/<int:pk>/health/", boards.product_health, name="product-health"),
    path("products/<int:pk>/health/quality/", boards.quality_settings, name="quality-settings"),
    path("products/<int:pk>/quality-check/", boards.quality_check, name="quality-check"),
    path("products/<int:pk>/vision-board/", boards.vision_board, name="product-vision-board"),
    path("products/<int:pk>/roadmap/", boards.product_roadmap, name="product-roadmap"),
    path(
        "products/<int:pk>/roadmap/<int:goal_id>/timeframe/",
        boards.roadmap_timeframe,
        name="roadmap-timeframe",
    ),
    path("products/<int:pk>/sprints/", boards.sprint_board, name="product-sprints"),
    path("organizations/<int:pk>/portfolio/", boards.portfolio, name="portfolio"),
    # The feedback loop: check-ins, the review meeting, sprint verdicts, retrospectives.
    path("goals/<int:pk>/check-in/", reviews.check_in, name="check-in"),
    path("goals/<int:pk>/verdict/", reviews.sprint_verdict, name="sprint-verdict"),
    path("goals/<int:pk>/retrospective/", reviews.retrospective, name="retrospective"),
    path("products/<int:pk>/reviews/", reviews.review_meeting, name="review-meeting"),
]
