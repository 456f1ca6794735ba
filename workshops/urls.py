from django.urls import path

from workshops import views

urlpatterns = [
    path("workshops/<int:pk>/", views.room, name="workshop-room"),
]
