"""mismatch: a performance workbench for a résumé-to-job matching backend."""

__version__ = "0.1.0"
