"""File formats exchanged with others: bank statements and advices, SEPA, customer statements."""
