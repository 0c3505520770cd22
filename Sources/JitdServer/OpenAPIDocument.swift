// Generated from openapi/openapi.json by `scripts/check-api --embed`; edit the JSON, not this file.
// JitdServerTests checks that the two are the same.

/// The OpenAPI 3.1 document served at `/openapi.json`.
enum OpenAPIDocument {
    static let bytes: [UInt8] = Array(text.utf8)

    static let text = ##"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "jitd",
    "version": "1",
    "description": "The HTTP API of jitd, the just-in-time training scheduler. Everything under /v1 needs `Authorization: Bearer TOKEN` (a missing or wrong token is a 401; the read-only token may only GET). Every error is an RFC 9457 problem document. Unknown paths are 404; known paths answer other methods with 405 and an `Allow` header."
  },
  "servers": [
    {
      "url": "/"
    }
  ],
  "tags": [
    {
      "name": "operations"
    },
    {
      "name": "assignments"
    },
    {
      "name": "completions"
    },
    {
      "name": "modules"
    },
    {
      "name": "deliveries"
    },
    {
      "name": "inbox"
    }
  ],
  "paths": {
    "/healthz": {
      "get": {
        "operationId": "health",
        "summary": "Liveness",
        "tags": [
          "operations"
        ],
        "responses": {
          "200": {
            "description": "The process answers.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Status"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/readyz": {
      "get": {
        "operationId": "ready",
        "summary": "Readiness",
        "tags": [
          "operations"
        ],
        "description": "Ready once the database is open, the catalog loaded, the inbox scanned and the first plan made.",
        "responses": {
          "200": {
            "description": "Ready.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Status"
                }
              }
            }
          },
          "503": {
            "description": "Still starting.",
            "content": {
              "application/problem+json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/metrics": {
      "get": {
        "operationId": "metrics",
        "summary": "Prometheus metrics",
        "tags": [
          "operations"
        ],
        "responses": {
          "200": {
            "description": "Prometheus text exposition format 0.0.4.",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/openapi.json": {
      "get": {
        "operationId": "openapi",
        "summary": "This document",
        "tags": [
          "operations"
        ],
        "responses": {
          "200": {
            "description": "The OpenAPI 3.1 document of this server.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/v1/assignments": {
      "get": {
        "operationId": "listAssignments",
        "summary": "List assignments",
        "tags": [
          "assignments"
        ],
        "description": "Assignments ordered by start, then id. Filters combine with AND. `from`/`to` select assignments that overlap `[from, to)`.",
        "parameters": [
          {
            "name": "unit",
            "in": "query",
            "schema": {
              "type": "string",
              "minLength": 1
            }
          },
          {
            "name": "staff_id",
            "in": "query",
            "schema": {
              "type": "string",
              "minLength": 1
            }
          },
          {
            "name": "state",
            "in": "query",
            "schema": {
              "$ref": "#/components/schemas/AssignmentState"
            }
          },
          {
            "name": "from",
            "in": "query",
            "description": "Only assignments that end after this time.",
            "schema": {
              "type": "string",
              "format": "date-time"
            }
          },
          {
            "name": "to",
            "in": "query",
            "description": "Only assignments that start before this time.",
            "schema": {
              "type": "string",
              "format": "date-time"
            }
          },
          {
            "$ref": "#/components/parameters/limit"
          },
          {
            "name": "cursor",
            "in": "query",
            "description": "The `next_cursor` of the previous page.",
            "schema": {
              "type": "string",
              "pattern": "^-?[0-9]{1,18}:"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "A page of assignments.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/AssignmentPage"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        },
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/v1/assignments/{id}": {
      "get": {
        "operationId": "getAssignment",
        "summary": "Fetch an assignment",
        "tags": [
          "assignments"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/assignmentId"
          }
        ],
        "responses": {
          "200": {
            "description": "The assignment.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Assignment"
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        },
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/v1/assignments/{id}/acknowledge": {
      "post": {
        "operationId": "acknowledgeAssignment",
        "summary": "Acknowledge an assignment",
        "description": "The person has seen the assignment and will go. Allowed from `planned` or `notified`; acknowledging an acknowledged assignment again changes nothing (200).",
        "tags": [
          "assignments"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/assignmentId"
          }
        ],
        "responses": {
          "200": {
            "$ref": "#/components/responses/AssignmentChanged"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/StateConflict"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        },
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/v1/assignments/{id}/complete": {
      "post": {
        "operationId": "completeAssignment",
        "summary": "Complete an assignment",
        "description": "The person completed the module in this slot. Allowed from `planned`, `notified` or `acknowledged`. Records a completion of the module at the current time, cancels the person's other live assignments of the module (`completed_elsewhere`), and triggers a re-plan. Completing a completed assignment again changes nothing (200).",
        "tags": [
          "assignments"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/assignmentId"
          }
        ],
        "responses": {
          "200": {
            "$ref": "#/components/responses/AssignmentChanged"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/StateConflict"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        },
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/v1/assignments/{id}/decline": {
      "post": {
        "operationId": "declineAssignment",
        "summary": "Decline an assignment",
        "description": "The person cannot go. Allowed from `planned`, `notified` or `acknowledged`; the assignment's unsent notifications are dropped and a re-plan is triggered. Declining a declined assignment again changes nothing (200).",
        "tags": [
          "assignments"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/assignmentId"
          }
        ],
        "responses": {
          "200": {
            "$ref": "#/components/responses/AssignmentChanged"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/StateConflict"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        },
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/v1/completions": {
      "post": {
        "operationId": "postCompletions",
        "summary": "Record completions in bulk",
        "tags": [
          "completions"
        ],
        "description": "Up to 10,000 completions, applied in one transaction. A completion dated more than a day after the server's clock is bad: a completion is recorded once it happened. When any item is bad, nothing is recorded and the 400 lists every bad item in `errors` (`index`, `field`, `message`). Each completion settles the person's live assignments of the module: one that had started by `completed_at` becomes `completed`; a later one that the completion makes unnecessary is cancelled (`completed_elsewhere`). A re-plan follows. Module ids the catalog does not know are kept, as in the completions CSV.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/CompletionsRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Recorded.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/CompletionsResult"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "413": {
            "description": "The body is larger than 4 MiB.",
            "content": {
              "application/problem+json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "415": {
            "description": "The body is not `application/json`.",
            "content": {
              "application/problem+json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        },
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/v1/modules/{id}/progress": {
      "get": {
        "operationId": "moduleProgress",
        "summary": "Progress of a module",
        "tags": [
          "modules"
        ],
        "description": "Eligible staff are those with a shift between `window_days` ago and the end of the planning horizon, in a role and unit the module names. A person is completed while their latest completion holds (within `recur_days` when the module recurs). Per unit, a person counts in every unit they were rostered on. `projected_90_percent_at` is the end of the planned, notified or acknowledged assignment that would bring completions to 90 % of the eligible staff, or null when the plan does not get there (or it is already reached).",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "The module id.",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "window_days",
            "in": "query",
            "description": "How many days back a shift makes someone eligible (default 30).",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 366,
              "default": 30
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The module's progress.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ModuleProgress"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        },
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/v1/deliveries/dead": {
      "get": {
        "operationId": "listDeadDeliveries",
        "summary": "List dead deliveries",
        "tags": [
          "deliveries"
        ],
        "description": "Webhook messages that will not be retried (410 Gone, given up, refused URL, endpoint removed), newest first, each with its attempts.",
        "parameters": [
          {
            "name": "endpoint",
            "in": "query",
            "description": "Only this webhook endpoint (its `name` in jitd.toml).",
            "schema": {
              "type": "string",
              "minLength": 1
            }
          },
          {
            "$ref": "#/components/parameters/limit"
          },
          {
            "$ref": "#/components/parameters/idCursor"
          }
        ],
        "responses": {
          "200": {
            "description": "A page of dead deliveries.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/DeliveryPage"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        },
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/v1/deliveries/{id}/redeliver": {
      "post": {
        "operationId": "redeliverOne",
        "summary": "Redeliver one dead delivery",
        "tags": [
          "deliveries"
        ],
        "description": "Queues a dead message again, due now, with the same `webhook-id` and body. Asking again while it waits changes nothing (200, `redelivered: false`).",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "The delivery id.",
            "schema": {
              "type": "integer",
              "minimum": 0
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The delivery as it is now.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/RedeliverOneResult"
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "description": "The delivery was delivered, expired or cancelled.",
            "content": {
              "application/problem+json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        },
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/v1/deliveries/redeliver": {
      "post": {
        "operationId": "redeliverEndpoint",
        "summary": "Redeliver every dead delivery of an endpoint",
        "tags": [
          "deliveries"
        ],
        "parameters": [
          {
            "name": "endpoint",
            "in": "query",
            "required": true,
            "schema": {
              "type": "string",
              "minLength": 1
            }
          }
        ],
        "responses": {
          "200": {
            "description": "How many were queued again.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/RedeliverEndpointResult"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        },
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/v1/inbox/files": {
      "get": {
        "operationId": "listInboxFiles",
        "summary": "Ingest history",
        "tags": [
          "inbox"
        ],
        "description": "Files the inbox handled, newest first, with their outcome and a summary (counts when accepted, errors when rejected).",
        "parameters": [
          {
            "name": "outcome",
            "in": "query",
            "schema": {
              "type": "string",
              "enum": [
                "accepted",
                "rejected",
                "duplicate"
              ]
            }
          },
          {
            "name": "kind",
            "in": "query",
            "schema": {
              "type": "string",
              "enum": [
                "roster",
                "completions",
                "unknown"
              ]
            }
          },
          {
            "$ref": "#/components/parameters/limit"
          },
          {
            "$ref": "#/components/parameters/idCursor"
          }
        ],
        "responses": {
          "200": {
            "description": "A page of inbox files.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/InboxPage"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        },
        "security": [
          {
            "bearer": []
          }
        ]
      }
    }
  },
  "components": {
    "securitySchemes": {
      "bearer": {
        "type": "http",
        "scheme": "bearer"
      }
    },
    "parameters": {
      "limit": {
        "name": "limit",
        "in": "query",
        "description": "Page size (default 100).",
        "schema": {
          "type": "integer",
          "minimum": 1,
          "maximum": 1000,
          "default": 100
        }
      },
      "idCursor": {
        "name": "cursor",
        "in": "query",
        "description": "The `next_cursor` of the previous page.",
        "schema": {
          "type": "string",
          "pattern": "^[0-9]{1,18}$"
        }
      },
      "assignmentId": {
        "name": "id",
        "in": "path",
        "required": true,
        "description": "The assignment id.",
        "schema": {
          "type": "string"
        }
      }
    },
    "responses": {
      "BadRequest": {
        "description": "A parameter or the body is malformed; `detail` names it, and `errors` lists every bad field.",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      },
      "Unauthorized": {
        "description": "No token, or a wrong one.",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      },
      "Forbidden": {
        "description": "The read-only token cannot change anything.",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      },
      "AssignmentChanged": {
        "description": "The assignment in its new (or unchanged) state.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Assignment"
            }
          }
        }
      },
      "StateConflict": {
        "description": "The assignment's state does not allow this change; `detail` says which states do.",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      },
      "NotFound": {
        "description": "No such resource.",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      },
      "Error": {
        "description": "Any other error, as a problem document.",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      }
    },
    "schemas": {
      "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details.",
        "required": [
          "type",
          "title",
          "status"
        ],
        "properties": {
          "type": {
            "type": "string"
          },
          "title": {
            "type": "string"
          },
          "status": {
            "type": "integer"
          },
          "detail": {
            "type": "string"
          },
          "errors": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/FieldError"
            }
          }
        }
      },
      "FieldError": {
        "type": "object",
        "required": [
          "field",
          "message"
        ],
        "properties": {
          "index": {
            "type": "integer",
            "minimum": 0,
            "description": "Position of the item in the posted list."
          },
          "field": {
            "type": "string",
            "description": "JSON path of the bad field, e.g. completions[3].staff_id."
          },
          "message": {
            "type": "string"
          }
        }
      },
      "Status": {
        "type": "object",
        "required": [
          "status"
        ],
        "properties": {
          "status": {
            "type": "string"
          }
        }
      },
      "AssignmentState": {
        "type": "string",
        "enum": [
          "planned",
          "notified",
          "acknowledged",
          "completed",
          "declined",
          "expired",
          "missed",
          "cancelled"
        ]
      },
      "Assignment": {
        "type": "object",
        "required": [
          "id",
          "staff_id",
          "module_id",
          "unit",
          "role",
          "start",
          "end",
          "group",
          "state",
          "reason",
          "updated_at"
        ],
        "properties": {
          "id": {
            "type": "string"
          },
          "staff_id": {
            "type": "string"
          },
          "module_id": {
            "type": "string"
          },
          "booster": {
            "type": "integer",
            "minimum": 1,
            "description": "Present on a booster of the module (spaced reinforcement): which of the module's reinforce_days it is, 1 for the first."
          },
          "unit": {
            "type": "string"
          },
          "role": {
            "type": "string"
          },
          "start": {
            "type": "string",
            "format": "date-time"
          },
          "end": {
            "type": "string",
            "format": "date-time"
          },
          "group": {
            "type": [
              "string",
              "null"
            ],
            "description": "Shared by the members of a drill or a classroom session."
          },
          "state": {
            "$ref": "#/components/schemas/AssignmentState"
          },
          "reason": {
            "type": [
              "string",
              "null"
            ],
            "description": "Why it was cancelled or expired."
          },
          "updated_at": {
            "type": "string",
            "format": "date-time"
          }
        }
      },
      "AssignmentPage": {
        "type": "object",
        "required": [
          "assignments",
          "next_cursor"
        ],
        "properties": {
          "assignments": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Assignment"
            }
          },
          "next_cursor": {
            "type": [
              "string",
              "null"
            ],
            "description": "Pass as `cursor` for the next page; null on the last page."
          }
        }
      },
      "Completion": {
        "type": "object",
        "required": [
          "staff_id",
          "module_id",
          "completed_at"
        ],
        "properties": {
          "staff_id": {
            "type": "string",
            "minLength": 1
          },
          "module_id": {
            "type": "string",
            "minLength": 1
          },
          "completed_at": {
            "type": "string",
            "format": "date-time",
            "description": "When the person completed the module; at most a day after the server's clock."
          }
        }
      },
      "CompletionsRequest": {
        "type": "object",
        "required": [
          "completions"
        ],
        "properties": {
          "completions": {
            "type": "array",
            "maxItems": 10000,
            "items": {
              "$ref": "#/components/schemas/Completion"
            }
          }
        }
      },
      "CompletionsResult": {
        "type": "object",
        "required": [
          "received",
          "added",
          "assignments_completed",
          "assignments_cancelled"
        ],
        "properties": {
          "received": {
            "type": "integer",
            "minimum": 0
          },
          "added": {
            "type": "integer",
            "minimum": 0,
            "description": "Completions not recorded before."
          },
          "assignments_completed": {
            "type": "integer",
            "minimum": 0
          },
          "assignments_cancelled": {
            "type": "integer",
            "minimum": 0
          }
        }
      },
      "ProgressFigures": {
        "type": "object",
        "required": [
          "eligible",
          "completed",
          "planned",
          "overdue",
          "share",
          "reached_90_percent",
          "projected_90_percent_at"
        ],
        "properties": {
          "eligible": {
            "type": "integer",
            "minimum": 0
          },
          "completed": {
            "type": "integer",
            "minimum": 0
          },
          "planned": {
            "type": "integer",
            "minimum": 0,
            "description": "Eligible people not completed who have a live assignment of the module."
          },
          "overdue": {
            "type": "integer",
            "minimum": 0,
            "description": "Eligible people past the module's due date (or the lapse of its recertification) untrained, as training.overdue announced them."
          },
          "share": {
            "type": [
              "number",
              "null"
            ],
            "minimum": 0,
            "maximum": 1,
            "description": "completed / eligible; null when no one is eligible."
          },
          "reached_90_percent": {
            "type": "boolean"
          },
          "projected_90_percent_at": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          }
        }
      },
      "UnitProgress": {
        "type": "object",
        "required": [
          "unit",
          "eligible",
          "completed",
          "planned",
          "share",
          "reached_90_percent",
          "projected_90_percent_at"
        ],
        "properties": {
          "eligible": {
            "type": "integer",
            "minimum": 0
          },
          "completed": {
            "type": "integer",
            "minimum": 0
          },
          "planned": {
            "type": "integer",
            "minimum": 0,
            "description": "Eligible people not completed who have a live assignment of the module."
          },
          "share": {
            "type": [
              "number",
              "null"
            ],
            "minimum": 0,
            "maximum": 1,
            "description": "completed / eligible; null when no one is eligible."
          },
          "reached_90_percent": {
            "type": "boolean"
          },
          "projected_90_percent_at": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "unit": {
            "type": "string"
          }
        }
      },
      "ModuleProgress": {
        "type": "object",
        "required": [
          "module_id",
          "title",
          "as_of",
          "window",
          "overall",
          "units"
        ],
        "properties": {
          "module_id": {
            "type": "string"
          },
          "title": {
            "type": "string"
          },
          "as_of": {
            "type": "string",
            "format": "date-time"
          },
          "window": {
            "type": "object",
            "required": [
              "from",
              "to"
            ],
            "properties": {
              "from": {
                "type": "string",
                "format": "date-time"
              },
              "to": {
                "type": "string",
                "format": "date-time"
              }
            }
          },
          "overall": {
            "$ref": "#/components/schemas/ProgressFigures"
          },
          "units": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/UnitProgress"
            }
          }
        }
      },
      "DeliveryAttempt": {
        "type": "object",
        "required": [
          "attempt",
          "at",
          "status",
          "error",
          "duration_ms"
        ],
        "properties": {
          "attempt": {
            "type": "integer",
            "minimum": 1
          },
          "at": {
            "type": "string",
            "format": "date-time"
          },
          "status": {
            "type": [
              "integer",
              "null"
            ]
          },
          "error": {
            "type": [
              "string",
              "null"
            ]
          },
          "duration_ms": {
            "type": "integer",
            "minimum": 0
          }
        }
      },
      "Delivery": {
        "type": "object",
        "required": [
          "id",
          "webhook_id",
          "endpoint",
          "type",
          "assignment_id",
          "state",
          "attempts",
          "last_error",
          "run_at",
          "created_at",
          "updated_at",
          "event"
        ],
        "properties": {
          "id": {
            "type": "integer"
          },
          "webhook_id": {
            "type": "string"
          },
          "endpoint": {
            "type": "string"
          },
          "type": {
            "type": "string"
          },
          "assignment_id": {
            "type": [
              "string",
              "null"
            ]
          },
          "state": {
            "type": "string",
            "enum": [
              "pending",
              "leased",
              "delivered",
              "dead",
              "expired",
              "cancelled"
            ]
          },
          "attempts": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/DeliveryAttempt"
            }
          },
          "last_error": {
            "type": [
              "string",
              "null"
            ]
          },
          "run_at": {
            "type": "string",
            "format": "date-time"
          },
          "created_at": {
            "type": "string",
            "format": "date-time"
          },
          "updated_at": {
            "type": "string",
            "format": "date-time"
          },
          "event": {
            "type": [
              "object",
              "null"
            ],
            "description": "The webhook body as sent."
          }
        }
      },
      "DeliveryPage": {
        "type": "object",
        "required": [
          "deliveries",
          "next_cursor"
        ],
        "properties": {
          "deliveries": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Delivery"
            }
          },
          "next_cursor": {
            "type": [
              "string",
              "null"
            ]
          }
        }
      },
      "RedeliverOneResult": {
        "type": "object",
        "required": [
          "delivery",
          "redelivered"
        ],
        "properties": {
          "delivery": {
            "$ref": "#/components/schemas/Delivery"
          },
          "redelivered": {
            "type": "boolean",
            "description": "False when it was already waiting."
          }
        }
      },
      "RedeliverEndpointResult": {
        "type": "object",
        "required": [
          "endpoint",
          "redelivered"
        ],
        "properties": {
          "endpoint": {
            "type": "string"
          },
          "redelivered": {
            "type": "integer",
            "minimum": 0
          }
        }
      },
      "InboxFile": {
        "type": "object",
        "required": [
          "id",
          "name",
          "sha256",
          "kind",
          "outcome",
          "received_at",
          "summary"
        ],
        "properties": {
          "id": {
            "type": "integer"
          },
          "name": {
            "type": "string"
          },
          "sha256": {
            "type": "string"
          },
          "kind": {
            "type": "string",
            "enum": [
              "roster",
              "completions",
              "unknown"
            ]
          },
          "outcome": {
            "type": "string",
            "enum": [
              "accepted",
              "rejected",
              "duplicate"
            ]
          },
          "received_at": {
            "type": "string",
            "format": "date-time"
          },
          "summary": {
            "type": "object",
            "description": "Counts for an accepted file, `errors` for a rejected one."
          }
        }
      },
      "InboxPage": {
        "type": "object",
        "required": [
          "files",
          "next_cursor"
        ],
        "properties": {
          "files": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/InboxFile"
            }
          },
          "next_cursor": {
            "type": [
              "string",
              "null"
            ]
          }
        }
      }
    }
  }
}
"""##
}
