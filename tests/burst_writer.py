"""Helper process for the crash test: submits contributions one by one and prints each id once the
store has acknowledged it. The test kills this process with SIGKILL in the middle of the burst."""

import sys

from facilitation.adapters.storage import open_store
from facilitation.domain.access import new_id
from facilitation.services import contributions

database_url, token = sys.argv[1], sys.argv[2]
store = open_store(database_url)
for i in range(10_000):
    submission = new_id()
    contributions.resident_submit(
        store,
        token=token,
        submission=contributions.Submission(text=f"Idée {i}", submission_id=submission, max_chars=2000),
    )
    print(submission, flush=True)  # acknowledged: the transaction has committed
