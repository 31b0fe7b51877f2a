"""The audit log: who did what to which record, when, with the state before and after."""
