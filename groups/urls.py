from django.urls import URLPattern, URLResolver, include, path

from groups import views

# What an admin does to one membership, under <pk>/members/<membership_pk>/.
member_patterns: list[URLPattern | URLResolver] = [
    path("remove/", views.member_remove, name="member-remove"),
    path("role/", views.member_role, name="member-role"),
    path("make-owner/", views.member_make_owner, name="member-make-owner"),
]

# One group's pages, under <pk>/.
group_patterns: list[URLPattern | URLResolver] = [
    path("", views.group_detail, name="detail"),
    path("leave/", views.group_leave, name="leave"),
    path("invites/", views.invite_create, name="invite-create"),
    path("invites/<int:invite_pk>/revoke/", views.invite_revoke, name="invite-revoke"),
    path("members/<int:membership_pk>/", include(member_patterns)),
    path("lent/", views.account_lend, name="lend"),
    path("lent/<int:loan_pk>/withdraw/", views.account_withdraw, name="withdraw"),
]

app_name = "groups"
urlpatterns = [
    path("", views.group_list, name="list"),
    path("<int:pk>/", include(group_patterns)),
]
