"""Ordering tasks that wait for other tasks.

A plan is a dict {task: [prerequisite, ...]}; every prerequisite is itself a task of the plan.
"""


def ready(deps, done):
    """Sorted tasks that are not done yet and whose prerequisites are all done."""
    return sorted(t for t, pre in deps.items() if all(p in done for p in pre))


def blocked(deps, done):
    """Sorted tasks that are not done yet and still wait for some prerequisite."""
    return sorted(t for t, pre in deps.items() if t not in done and not all(p in done for p in pre))


def schedule(deps):
    """All tasks in an order that respects the prerequisites, alphabetical among ready tasks.

    ValueError when the prerequisites form a cycle.
    """
    done = []
    while len(done) < len(deps):
        candidates = ready(deps, set(done))
        if not candidates:
            raise ValueError("prerequisites form a cycle")
        done.append(candidates[0])
    return done


def position(deps, task):
    """0-based place of task in schedule(deps)."""
    return schedule(deps).index(task)
