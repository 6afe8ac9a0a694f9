"""Meeting plans in: an adopted plan from a spreadsheet or calendar file, compared with the stored
meetings (a preview) and applied in one transaction (issue 15, item 3)."""
