"""Write paths of the availability app, one module per concern:

- `polling`: one poll of one club (today plus days ahead), its PollRun, the manual fetch.
- `ingest`: one club-local day's answer in, change-only history and outbox events out.
- `summaries`: the derived per-start summaries of closed days.

The outbox (events and their deliveries to consumers) is `availability/outbox.py`.
"""
