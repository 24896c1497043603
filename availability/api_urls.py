from django.urls import path

from availability import api

club = "clubs/<int:club_id>/"

urlpatterns = [
    path("clubs/compare", api.CompareApi.as_view(), name="api-compare"),
    path(f"{club}fetch-availability", api.FetchAvailabilityApi.as_view(), name="api-fetch"),
    path(
        f"{club}utilization/current",
        api.CurrentUtilizationApi.as_view(),
        name="api-utilization-current",
    ),
    path(
        f"{club}utilization/daily", api.DailyUtilizationApi.as_view(), name="api-utilization-daily"
    ),
    path(
        f"{club}utilization/daily.csv",
        api.DailyUtilizationCsvApi.as_view(),
        name="api-utilization-daily-csv",
    ),
    path(f"{club}utilization/heatmap", api.HeatmapApi.as_view(), name="api-heatmap"),
    path(f"{club}utilization/courts", api.CourtUtilizationApi.as_view(), name="api-courts"),
    path(f"{club}fill-curve", api.FillCurveApi.as_view(), name="api-fill-curve"),
    path(f"{club}lead-times", api.LeadTimesApi.as_view(), name="api-lead-times"),
    path(f"{club}prices", api.PricesApi.as_view(), name="api-prices"),
    path(f"{club}chance", api.ChanceApi.as_view(), name="api-chance"),
    path(f"{club}availability", api.AvailabilityApi.as_view(), name="api-availability"),
    path(f"{club}changes", api.ChangesApi.as_view(), name="api-changes"),
    path(f"{club}changes.csv", api.ChangesCsvApi.as_view(), name="api-changes-csv"),
    path(f"{club}poll-runs", api.PollRunsApi.as_view(), name="api-poll-runs"),
    path(f"{club}poll-runs/<int:run_id>", api.PollRunDetailApi.as_view(), name="api-poll-run"),
]
