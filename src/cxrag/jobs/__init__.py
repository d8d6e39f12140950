"""Ingest as background jobs: uploads become jobs of parts that any number of workers share.

``service.IngestJobs`` stores a job (``store.jobs``) and hands its parts to a ``JobQueue``:
on PostgreSQL the procrastinate queue (``queue.ProcrastinateQueue``), run by ``cxrag worker``
processes (``worker``); on the embedded default a thread of the serving process
(``queue.LocalQueue``). ``runner.PartRunner`` does one part's work wherever it runs.
"""
