"""Sensor readings given as "timestamp,sensor,value" lines; malformed lines are skipped."""


def parse(line):
    """(timestamp, sensor, value) from one line, or None when the line is malformed."""
    parts = [part.strip() for part in line.split(",")]
    if len(parts) != 3 or not parts[1]:
        return None
    try:
        return int(parts[0]), parts[1], float(parts[2])
    except ValueError:
        return None


def valid_readings(lines):
    """The parsed readings of the well-formed lines, in input order."""
    result = []
    for line in lines:
        reading = parse(line)
        if reading is None:
            continue
        result.append(reading)
    return result


def latest(lines):
    """{sensor: value of its reading with the largest timestamp}; a later line wins a tie."""
    best = {}
    for line in lines:
        reading = parse(line)
        stamp, sensor, value = reading
        if sensor not in best or stamp >= best[sensor][0]:
            best[sensor] = (stamp, value)
    return {sensor: value for sensor, (_, value) in best.items()}


def mean_by_sensor(lines):
    """{sensor: mean value} over the well-formed lines."""
    sums = {}
    for _, sensor, value in valid_readings(lines):
        total, count = sums.get(sensor, (0.0, 0))
        sums[sensor] = (total + value, count + 1)
    return {sensor: total / count for sensor, (total, count) in sums.items()}
