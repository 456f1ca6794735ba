"""API endpoints of the account: personal tokens."""

from django.urls import path

from accounts import api as token_api

urlpatterns: list = [
    path("tokens/", token_api.TokenList.as_view(), name="api-personal-tokens"),
    path("tokens/<int:pk>/", token_api.TokenDetail.as_view(), name="api-personal-token"),
]
