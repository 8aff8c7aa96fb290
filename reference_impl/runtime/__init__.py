"""The Phase 4 runtime foundation: loop, order state and risk entry (seed section 2)."""
