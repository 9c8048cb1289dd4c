"""Every write of the assessment module (schemes, rounds, scores, objections, creation), one door each."""
