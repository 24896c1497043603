# "mar 15 dic 2026, 09:00 AEDT": the club-local start of a game, a release, an attempt.
LOCAL_DATETIME_FORMAT = "D j b Y, H:i T"
# "mar 15 dic 2026": a club-local day (an attempt's target date, the court grid's day).
LOCAL_DATE_FORMAT = "D j b Y"
# "15 dic": a day on a chart's axis.
LOCAL_SHORT_DATE_FORMAT = "j b"
