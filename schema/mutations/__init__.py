"""One mutation per transition, object first (``proPayApprove``), each answering
``{ <object> event userErrors { code message field } }``."""
