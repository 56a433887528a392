"""Deployments' Celery tasks: computing a proposal (SPEC §10)."""

from celery import shared_task

from deployments.proposals import run_proposal


@shared_task(ignore_result=True)
def compute_proposal(proposal_id: int) -> str:
    """Compute one running proposal; its row shows the progress, then the result or the error."""
    return run_proposal(proposal_id).status
