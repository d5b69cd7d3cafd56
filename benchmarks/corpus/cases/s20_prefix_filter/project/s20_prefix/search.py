"""Case-insensitive prefix search, as behind an autocomplete box."""


def matching(names, typed):
    """The names that start with what was typed, ignoring case and extra whitespace in ``typed``."""
    found = []
    for name in names:
        if name.lower().startswith(" ".join(typed.split()).lower()):
            found.append(name)
    return found


def suggest(names, typed, limit=5):
    """At most ``limit`` matches, shortest first (ties in the original order)."""
    return sorted(matching(names, typed), key=len)[:max(limit, 0)]


def common_prefix(names):
    """The longest prefix shared by all names, compared exactly ("" for no names)."""
    if not names:
        return ""
    prefix = names[0]
    for name in names[1:]:
        while not name.startswith(prefix):
            prefix = prefix[:-1]
    return prefix
