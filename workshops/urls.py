from django.urls import path

from workshops.views import planning, room

urlpatterns = [
    path("products/<int:pk>/workshops/", planning.workshop_list, name="product-workshops"),
    path("products/<int:pk>/workshops/new/", planning.workshop_new, name="workshop-new"),
    path("workshops/<int:pk>/", room.room, name="workshop-room"),
    path("workshops/<int:pk>/live/", room.room_live, name="workshop-room-live"),
    path("workshops/<int:pk>/edit/", planning.workshop_edit, name="workshop-edit"),
    path("workshops/<int:pk>/cancel/", planning.workshop_cancel, name="workshop-cancel"),
    path(
        "workshops/<int:pk>/participants/",
        planning.workshop_participants,
        name="workshop-participants",
    ),
    path(
        "workshops/<int:pk>/participants/<int:participant_id>/remove/",
        planning.participant_remove,
        name="workshop-participant-remove",
    ),
    path("workshops/<int:pk>/phase/", room.phase_move, name="workshop-phase"),
    path("workshops/<int:pk>/rounds/", room.round_new, name="workshop-round"),
    path("workshops/<int:pk>/decide/", room.decide, name="workshop-decide"),
    path("workshops/<int:pk>/proposals/", room.proposal_new, name="proposal-new"),
    path("workshops/<int:pk>/proposals/check/", room.proposal_check, name="proposal-check"),
    path("proposals/<int:pk>/", room.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/vote/", room.proposal_vote, name="proposal-vote"),
    path("proposals/<int:pk>/history/", room.proposal_history, name="proposal-history"),
]
