-- wrk script: a filtered assignments query with a different unit and day on every request
-- ("what did this unit complete on that day"), so the whole database is in play.
-- Set by bench/api/run: JITD_TOKEN, JITD_DAY0 (Unix seconds of the first day), JITD_DAYS.
local token = os.getenv("JITD_TOKEN")
local day0 = tonumber(os.getenv("JITD_DAY0"))
local days = tonumber(os.getenv("JITD_DAYS"))
local counter = 0

local function rfc3339(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", t) end

request = function()
  counter = counter + 1
  local unit = string.format("U%02d", (counter * 7) % 24)
  local day = day0 + ((counter * 13) % days) * 86400
  local path = "/v1/assignments?unit=" .. unit .. "&state=completed&from=" .. rfc3339(day) .. "&to=" .. rfc3339(day + 86400) .. "&limit=100"
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
