"""Monitoring: in-process metrics with accurate percentiles, and Prometheus exposition."""

from mismatch_core.monitoring.histogram import LogLinearHistogram
from mismatch_core.monitoring.service import MonitoringService

__all__ = ["LogLinearHistogram", "MonitoringService"]
