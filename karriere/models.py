from __future__ import annotations

from django.db import models


class PeriodicJobClaim(models.Model):
    """One row per periodic job and interval slot: whoever inserts it enqueues the job.

    The unique constraint makes the claim atomic across schedulers, cron runs and hosts on
    SQLite and PostgreSQL alike (run_periodic_jobs).
    """

    job = models.CharField(max_length=100)
    # The slot number: seconds since the epoch divided by the job's interval.
    slot = models.BigIntegerField()
    claimed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="periodic_job_claim_once"),
        ]

    def __str__(self):
        return f"{self.job} #{self.slot}"
