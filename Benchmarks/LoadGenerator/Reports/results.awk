# Functions the report programs of scripts/bench-stun and scripts/bench-turn share (awk -f results.awk -f stun.awk).
# Each line of their results.jsonl is one flat JSON object; these read its fields without a JSON parser.

# The numeric field `name` of `line`, or -1 when it is missing.
function field(line, name,    m) {
    if (match(line, "\"" name "\":[-0-9.]+")) {
        m = substr(line, RSTART, RLENGTH)
        sub(/.*:/, "", m)
        return m + 0
    }
    return -1
}

# The string field `name` of `line`, or "" when it is missing.
function text(line, name,    m) {
    if (match(line, "\"" name "\":\"[^\"]*\"")) {
        m = substr(line, RSTART, RLENGTH)
        sub(/^[^:]*:"/, "", m)
        sub(/"$/, "", m)
        return m
    }
    return ""
}

# The median of values[1..n] (the mean of the middle two for an even n); `values` is left as it was.
function median(values, n,    i, j, t, sorted) {
    for (i = 1; i <= n; i++) sorted[i] = values[i]
    for (i = 2; i <= n; i++) {
        for (j = i; j > 1 && sorted[j - 1] > sorted[j]; j--) {
            t = sorted[j]; sorted[j] = sorted[j - 1]; sorted[j - 1] = t
        }
    }
    return n % 2 ? sorted[(n + 1) / 2] : (sorted[n / 2] + sorted[n / 2 + 1]) / 2
}

# "x/y" formatted, or "n/a" when y is not positive.
function ratio_or_na(x, y) {
    return y > 0 ? sprintf("%.2f", x / y) : "n/a"
}
