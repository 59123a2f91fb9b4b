from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read/", views.mark_read, name="mark_read"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("deliveries/", views.delivery_list, name="delivery_list"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry_view, name="delivery_retry"),
    path("robots/", views.channel_list, name="channel_list"),
    path("robots/new/", views.channel_create_view, name="channel_create"),
    path("robots/<int:pk>/", views.channel_edit, name="channel_edit"),
    path("robots/<int:pk>/test/", views.channel_test, name="channel_test"),
]
