from django.urls import URLPattern, URLResolver, include, path

from groups import api

# One group's endpoints, under groups/<group_id>/.
group_patterns: list[URLPattern | URLResolver] = [
    path("", api.GroupDetailApi.as_view(), name="api-group"),
    path("members/", api.MemberListApi.as_view(), name="api-group-members"),
    path("invites/", api.InviteListApi.as_view(), name="api-group-invites"),
    path(
        "invites/<int:invite_id>/revoke/",
        api.InviteRevokeApi.as_view(),
        name="api-group-invite-revoke",
    ),
    path("lent-accounts/", api.LentAccountListApi.as_view(), name="api-group-lent-accounts"),
    path(
        "lent-accounts/<int:loan_id>/",
        api.LentAccountDetailApi.as_view(),
        name="api-group-lent-account",
    ),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("groups/", api.GroupListApi.as_view(), name="api-groups"),
    path("groups/<int:group_id>/", include(group_patterns)),
]
