"""The advocate console: callback queues for advocates and supervisors."""
