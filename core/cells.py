"""One cell-escaping function for every CSV and XLSX file the app writes."""


def inert(value):
    """Text typed by a country (names, notes) must not run as a spreadsheet formula when opened."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
