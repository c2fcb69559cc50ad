"""Judicial offsetting (以碳代偿): courts' cases whose compensation is paid by buying and
retiring credits, carried out on the ledger and the market, under public supervision."""
