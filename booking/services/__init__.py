"""Write paths of the booking app, one module per concern:

- `rules`: validating, saving and deleting booking rules.
- `schedule`: a rule's next release, its SCHEDULED attempt and its one-off beat entry.
- `attempts`: the attempt row (prepare, finish, timeline) shared by the paths below.
- `race`: one attempt from claim to verdict, in three phases (prepare, race, record).
- `reconcile`: settling attempts that no worker will finish.
- `sniping`: the availability outbox consumer that races freed slots.

Playtomic accounts and the clients acting for them live in the `accounts` app.
"""
