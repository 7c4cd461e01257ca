' Tool: the survey numbers for a period, as data for the assistant and as a ready-made Markdown
' text (results.bas shows it, weekly-report.bas mails it). Reading "responses" needs the owner
' or admin role (tables.bas), so a customer calling this tool gets a PermissionError.
PARAM days AS INTEGER DEFAULT 30 DESCRIPTION "Look at the last N days; 0 means all time"
PARAM service AS STRING ENUM ["Repair or service", "Buying a bike", "Rental", "Parts and accessories"] OPTIONAL DESCRIPTION "Only answers about this service"
DESCRIPTION "Summarise the customer survey: answers, average satisfaction, NPS, on-time repairs, scores per service and recent comments"

period = IIF(days > 0, "last " + days + " days", "all time")
condition = "ORDER BY submitted"
IF days > 0 THEN condition = "DATE(submitted) > '" + DATEADD(TODAY(), -days, "day") + "' " + condition
rows = FIND "responses", condition
' The ENUM guarantees a known service name, so quoting it into the filter is safe.
IF NOT ISEMPTY(service) THEN rows = FILTER(rows, "service = '" + service + "'")
n = COUNT(rows)
IF n = 0 THEN RETURN WITH answers AS 0, period AS period, text AS "No survey answers in the " + period + "."

promoters = COUNT(FILTER(rows, "nps >= 9"))
detractors = COUNT(FILTER(rows, "nps <= 6"))
repairs = FILTER(rows, "on_time IS NOT NULL")

WITH summary
    period = period
    answers = n
    satisfaction = ROUND(AGGREGATE("AVG", rows, "satisfaction"), 2)
    nps = ROUND((promoters - detractors) * 100 / n)
    promoters = promoters
    detractors = detractors
    on_time_percent = IIF(COUNT(repairs) = 0, NULL, ROUND(COUNT(FILTER(repairs, "on_time = TRUE")) * 100 / COUNT(repairs)))
    call_backs = COUNT(FILTER(rows, "contact_ok = TRUE"))
    by_service = {}
END WITH

' Per service: how many answers and the average satisfaction.
groups = GROUP BY rows, "service"
lines = []
FOR EACH name IN SORT(KEYS(groups))
    average = AGGREGATE("AVG", groups[name], "satisfaction")
    summary.by_service[name] = {answers: COUNT(groups[name]), satisfaction: ROUND(average, 1)}
    PUSH lines, "| " + name + " | " + COUNT(groups[name]) + " | " + FORMAT(average, "0.0") + " |"
NEXT

recent = SLICE(SORT(FILTER(rows, "comment IS NOT NULL"), "submitted", "DESC"), 0, 5)
summary.comments = FILL(recent, "{satisfaction}/5, NPS {nps} ({service}): {comment}")

text = "## Customer survey, " + period + "\n\n"
text = text + "- Answers: " + n + "\n"
text = text + "- Average satisfaction: " + FORMAT(summary.satisfaction, "0.0") + " / 5\n"
text = text + "- NPS: " + summary.nps + " (" + promoters + " promoters, " + detractors + " detractors)\n"
IF NOT ISNULL(summary.on_time_percent) THEN text = text + "- Repairs ready on time: " + summary.on_time_percent + "%\n"
text = text + "- Customers waiting for a call back: " + summary.call_backs + "\n\n"
text = text + "| Service | Answers | Satisfaction |\n|---|---|---|\n" + JOIN(lines, "\n")
IF COUNT(recent) > 0 THEN text = text + "\n\nLatest comments:\n" + JOIN(FILL(recent, "- \"{comment}\" ({satisfaction}/5, {service})"), "\n")
summary.text = text
RETURN summary
