/// The console's Mustache templates, compiled into the binary (jitd ships as one file, without
/// resource bundles). `{{x}}` is HTML-escaped; `{{{x}}}` is only used for SVG and HTML the
/// console built itself from escaped parts.
enum ConsoleTemplates {
    static let all: [(String, String)] = [
        ("layout", layout), ("message", message), ("signin", signIn), ("home", home), ("unitday", unitDay),
        ("modules", modules), ("module", module), ("people", people), ("person", person),
        ("publish", publish), ("moduleform", moduleForm), ("ops", operations),
    ]

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · jitd</title>
        <link rel="stylesheet" href="/console.css">
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
        <span class="brand">jitd</span>
        {{#signedIn}}
        <nav aria-label="Sections"><ul>
        {{#nav}}<li><a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a></li>{{/nav}}
        </ul></nav>
        <div class="who"><span>{{user}} <span class="role">({{role}})</span></span>
        {{#canSignOut}}<form method="post" action="/signout"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="link">Sign out</button></form>{{/canSignOut}}
        </div>
        {{/signedIn}}
        </header>
        <main id="main">
        {{{body}}}
        </main>
        </body>
        </html>
        """

    static let message = """
        <h1>{{title}}</h1>
        <p>{{text}}</p>
        {{#signIn}}<p><a href="/signin">Sign in</a></p>{{/signIn}}
        {{^signIn}}<p><a href="/">Back to the units</a></p>{{/signIn}}
        """

    static let signIn = """
        <h1>Sign in to jitd</h1>
        {{#problem}}<p class="error" role="alert" id="signin-problem">{{problem}}</p>{{/problem}}
        <form method="post" action="/signin" class="narrow">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="next" value="{{next}}">
        <p><label for="user">User name</label><br>
        <input id="user" name="user" autocomplete="username" required value="{{user}}"{{#problem}} aria-describedby="signin-problem"{{/problem}}></p>
        <p><label for="password">Password</label><br>
        <input id="password" name="password" type="password" autocomplete="current-password" required></p>
        <p><button type="submit">Sign in</button></p>
        </form>
        """

    static let home = """
        <h1>Units</h1>
        <p>Staffing and training per unit and day. Times are each unit's local time.</p>
        <form method="get" action="/units" class="inline">
        <p><label for="unit">Unit</label>
        <select id="unit" name="unit">{{#units}}<option value="{{name}}">{{name}}</option>{{/units}}</select>
        <label for="day">Day</label>
        <input id="day" name="day" type="date" value="{{today}}">
        <button type="submit">Show</button></p>
        </form>
        <table>
        <caption>Today on each unit</caption>
        <thead><tr><th scope="col">Unit</th><th scope="col">Time zone</th><th scope="col">Today</th><th scope="col">Tomorrow</th></tr></thead>
        <tbody>
        {{#units}}<tr><th scope="row">{{name}}</th><td>{{zone}}</td><td><a href="{{todayHref}}">{{todayText}}</a></td><td><a href="{{tomorrowHref}}">{{tomorrowText}}</a></td></tr>{{/units}}
        {{^units}}<tr><td colspan="4">No roster has been applied yet.</td></tr>{{/units}}
        </tbody>
        </table>
        """

    static let unitDay = """
        <h1>{{unit}} <span class="sub">{{dayText}}</span></h1>
        <nav aria-label="Days" class="pager">
        <a href="{{prevHref}}" rel="prev">← {{prevText}}</a>
        <a href="{{todayHref}}">Today</a>
        <a href="{{nextHref}}" rel="next">{{nextText}} →</a>
        </nav>
        <form method="get" action="/units" class="inline">
        <p><label for="unit">Unit</label>
        <select id="unit" name="unit">{{#units}}<option value="{{name}}"{{#current}} selected{{/current}}>{{name}}</option>{{/units}}</select>
        <label for="day">Day</label>
        <input id="day" name="day" type="date" value="{{day}}">
        <button type="submit">Show</button></p>
        </form>
        <p>Times in {{zone}}. {{summary}}</p>
        <ul class="legend" aria-label="Legend">
        <li><span class="key k-head"></span>On shift</li>
        <li><span class="key k-min"></span>Coverage minimum</li>
        <li><span class="key k-slack"></span>Unused slack</li>
        <li><span class="key k-short"></span>Below minimum</li>
        <li><span class="key k-train"></span>In training (the area) and each session (the bars beneath)</li>
        </ul>
        {{#roles}}
        <section class="chart">
        <h2>{{role}}</h2>
        <p>{{summary}}</p>
        {{{svg}}}
        {{#short}}<p class="warn">Below minimum: {{short}}</p>{{/short}}
        </section>
        {{/roles}}
        {{^roles}}<p>No shifts and no coverage rules on this day.</p>{{/roles}}
        <h2 id="sessions">Training sessions</h2>
        <details{{#fewSessions}} open{{/fewSessions}}>
        <summary>{{sessionCount}} sessions on {{dayText}}: who, what, when, state</summary>
        <table>
        <caption>{{sessionCount}} sessions on {{dayText}}</caption>
        <thead><tr><th scope="col">Time</th><th scope="col">Who</th><th scope="col">Role</th><th scope="col">Module</th><th scope="col">State</th></tr></thead>
        <tbody>
        {{#sessions}}<tr><td>{{time}}</td><td><a href="{{personHref}}">{{staff}}</a></td><td>{{role}}</td><td><a href="{{moduleHref}}">{{module}}</a></td><td><span class="state s-{{state}}">{{state}}</span></td></tr>{{/sessions}}
        {{^sessions}}<tr><td colspan="5">No training on this day.</td></tr>{{/sessions}}
        </tbody>
        </table>
        </details>
        {{#feed}}<p>Calendar feed of this unit's training (a private link; anyone who has it can read it): <a href="{{feed}}">{{feed}}</a></p>{{/feed}}
        """

    static let modules = """
        <h1>Modules</h1>
        <p>{{summary}}</p>
        <table>
        <caption>Modules in force</caption>
        <thead><tr><th scope="col">Module</th><th scope="col">Kind</th><th scope="col">Priority</th><th scope="col">Source</th><th scope="col" class="num">Eligible</th><th scope="col" class="num">Trained</th><th scope="col" class="num">Scheduled</th><th scope="col" class="num">Unmet</th></tr></thead>
        <tbody>
        {{#rows}}<tr><th scope="row"><a href="{{href}}">{{title}}</a><br><span class="id">{{id}}</span></th><td>{{kind}}</td><td>{{priority}}</td><td>{{source}}</td><td class="num">{{eligible}}</td><td class="num">{{trained}}</td><td class="num">{{scheduled}}</td><td class="num">{{unmet}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="8">No modules in force.</td></tr>{{/rows}}
        </tbody>
        </table>
        """

    static let module = """
        <h1>{{title}} <span class="sub">{{id}}</span></h1>
        <p>{{facts}}</p>
        <p><a href="{{csvHref}}" download>Download CSV</a> (every eligible person with status, completion, due date and next session, for accreditation reports)</p>
        {{^planned}}<p class="warn">No plan has been made yet; progress shows once the planner has run.</p>{{/planned}}
        <h2>Burn-up</h2>
        <p>{{surgeText}}</p>
        {{{burnup}}}
        <table>
        <caption>Projected dates (site time, {{zone}})</caption>
        <thead><tr><th scope="col">Share trained</th><th scope="col">Planned</th><th scope="col">Roster's lower bound</th></tr></thead>
        <tbody>{{#projection}}<tr><th scope="row">{{percent}} %</th><td>{{planned}}</td><td>{{bound}}</td></tr>{{/projection}}</tbody>
        </table>
        <h2>Progress per unit</h2>
        <table>
        <caption>Staff on the roster from yesterday to the end of the planning horizon</caption>
        <thead><tr><th scope="col">Unit</th><th scope="col" class="num">Eligible</th><th scope="col" class="num">Completed</th><th scope="col" class="num">Scheduled</th><th scope="col">Unmet, with reasons</th></tr></thead>
        <tbody>
        {{#units}}<tr><th scope="row">{{unit}}</th><td class="num">{{eligible}}</td><td class="num">{{completed}} ({{share}})</td><td class="num">{{scheduled}}</td><td>{{unmet}}</td></tr>{{/units}}
        {{^units}}<tr><td colspan="5">Nobody on the roster is eligible.</td></tr>{{/units}}
        </tbody>
        </table>
        <h2>Overdue</h2>
        <table>
        <caption>{{overdueCount}} people past the due date without a valid completion{{#overdueMore}} (the first {{shown}} shown; the CSV has all){{/overdueMore}}</caption>
        <thead><tr><th scope="col">Person</th><th scope="col">Units</th><th scope="col">Due</th><th scope="col">Status</th></tr></thead>
        <tbody>
        {{#overdue}}<tr><td><a href="{{href}}">{{staff}}</a></td><td>{{units}}</td><td>{{due}}</td><td>{{status}}</td></tr>{{/overdue}}
        {{^overdue}}<tr><td colspan="4">Nobody is overdue.</td></tr>{{/overdue}}
        </tbody>
        </table>
        <h2>Lapsing within 30 days</h2>
        <table>
        <caption>{{lapsingCount}} people whose completion expires in the next 30 days{{#lapsingMore}} (the first {{shown}} shown){{/lapsingMore}}</caption>
        <thead><tr><th scope="col">Person</th><th scope="col">Units</th><th scope="col">Valid until</th><th scope="col">Status</th></tr></thead>
        <tbody>
        {{#lapsing}}<tr><td><a href="{{href}}">{{staff}}</a></td><td>{{units}}</td><td>{{due}}</td><td>{{status}}</td></tr>{{/lapsing}}
        {{^lapsing}}<tr><td colspan="4">Nobody lapses in the next 30 days.</td></tr>{{/lapsing}}
        </tbody>
        </table>
        """

    static let people = """
        <h1>People</h1>
        <form method="get" action="/people" class="inline">
        <p><label for="staff">Staff id</label>
        <input id="staff" name="staff" value="{{staff}}" required>
        <button type="submit">Show</button></p>
        </form>
        {{#problem}}<p class="error" role="alert">{{problem}}</p>{{/problem}}
        """

    static let person = """
        <h1>{{staff}}{{#name}} <span class="sub">{{name}}</span>{{/name}}</h1>
        <p>{{posts}}. Times in {{zone}}.</p>
        <h2>Upcoming sessions</h2>
        <table>
        <caption>{{upcomingCount}} sessions from now</caption>
        <thead><tr><th scope="col">When</th><th scope="col">Module</th><th scope="col">Unit</th><th scope="col">State</th></tr></thead>
        <tbody>
        {{#upcoming}}<tr><td>{{when}}</td><td><a href="{{moduleHref}}">{{module}}</a></td><td><a href="{{dayHref}}">{{unit}}</a></td><td><span class="state s-{{state}}">{{state}}</span></td></tr>{{/upcoming}}
        {{^upcoming}}<tr><td colspan="4">None planned.</td></tr>{{/upcoming}}
        </tbody>
        </table>
        <h2>Modules due</h2>
        <table>
        <caption>Modules their roles and units must take</caption>
        <thead><tr><th scope="col">Module</th><th scope="col">Status</th><th scope="col">Due</th><th scope="col">Why not yet planned</th></tr></thead>
        <tbody>
        {{#modules}}<tr><td><a href="{{href}}">{{title}}</a></td><td>{{status}}</td><td>{{due}}</td><td>{{why}}</td></tr>{{/modules}}
        {{^modules}}<tr><td colspan="4">No module applies to their roles and units.</td></tr>{{/modules}}
        </tbody>
        </table>
        <h2>Past sessions</h2>
        <table>
        <caption>The last 30 days</caption>
        <thead><tr><th scope="col">When</th><th scope="col">Module</th><th scope="col">Unit</th><th scope="col">State</th></tr></thead>
        <tbody>
        {{#past}}<tr><td>{{when}}</td><td><a href="{{moduleHref}}">{{module}}</a></td><td>{{unit}}</td><td><span class="state s-{{state}}">{{state}}</span></td></tr>{{/past}}
        {{^past}}<tr><td colspan="4">None.</td></tr>{{/past}}
        </tbody>
        </table>
        {{#feed}}<p>Calendar feed of this person's training (a private link; anyone who has it can read it): <a href="{{feed}}">{{feed}}</a></p>{{/feed}}
        """

    static let publish = """
        <h1>Publishing</h1>
        {{#notice}}<p class="ok" role="status">{{notice}}</p>{{/notice}}
        <p>Modules published here are kept in jitd's database beside the file catalog and planned like its modules as soon as they are saved. The file catalog's modules are edited in their files.</p>
        <p><a class="button" href="/publish/new">New module</a></p>
        <table>
        <caption>Modules published in the console</caption>
        <thead><tr><th scope="col">Module</th><th scope="col">State</th><th scope="col">Last change</th><th scope="col">Actions</th></tr></thead>
        <tbody>
        {{#rows}}<tr><th scope="row"><a href="{{href}}">{{title}}</a><br><span class="id">{{id}}</span></th><td>{{state}}{{#shadowed}} (the file catalog now has this id; its module is the one in force){{/shadowed}}</td><td>{{changed}}</td>
        <td><form method="post" action="{{toggleHref}}"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">{{toggleLabel}}<span class="visually-hidden"> {{id}}</span></button></form></td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="4">Nothing published in the console yet.</td></tr>{{/rows}}
        </tbody>
        </table>
        <h2>Changes</h2>
        <table>
        <caption>Every change, newest first</caption>
        <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Module</th></tr></thead>
        <tbody>
        {{#audit}}<tr><td>{{when}}</td><td>{{actor}}</td><td>{{action}}</td><td>{{module}}</td></tr>{{/audit}}
        {{^audit}}<tr><td colspan="4">No changes yet.</td></tr>{{/audit}}
        </tbody>
        </table>
        """

    static let moduleForm = """
        <h1>{{heading}}</h1>
        {{#hasProblems}}<div class="error" role="alert"><h2>The module was not saved</h2><ul>{{#problems}}<li>{{#field}}<a href="#f-{{field}}">{{label}}</a>: {{/field}}{{message}}</li>{{/problems}}</ul></div>{{/hasProblems}}
        <p>The same rules and messages as a catalog file. Dates and times are the site's local time ({{zone}}) unless they carry an offset.</p>
        <form method="post" action="{{action}}" class="module-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        {{#fields}}
        <p><label for="f-{{key}}">{{label}}</label>{{#hint}} <span class="hint" id="h-{{key}}">{{hint}}</span>{{/hint}}<br>
        {{#hasChoices}}<select id="f-{{key}}" name="{{key}}"{{#hint}} aria-describedby="h-{{key}}"{{/hint}}>{{#choices}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/choices}}</select>{{/hasChoices}}
        {{^hasChoices}}{{#area}}<textarea id="f-{{key}}" name="{{key}}" rows="4"{{#hint}} aria-describedby="h-{{key}}"{{/hint}}>{{value}}</textarea>{{/area}}{{^area}}<input id="f-{{key}}" name="{{key}}" value="{{value}}"{{#readonly}} readonly{{/readonly}}{{#invalid}} aria-invalid="true"{{/invalid}}{{#hint}} aria-describedby="h-{{key}}"{{/hint}}>{{/area}}{{/hasChoices}}
        {{#problem}}<br><span class="error">{{problem}}</span>{{/problem}}</p>
        {{/fields}}
        <p><button type="submit">{{submit}}</button> <a href="/publish">Cancel</a></p>
        </form>
        """

    static let operations = """
        <h1>Operations</h1>
        {{#notice}}<p class="ok" role="status">{{notice}}</p>{{/notice}}
        <h2>Endpoints</h2>
        <table>
        <caption>Webhook endpoints and their deliveries</caption>
        <thead><tr><th scope="col">Endpoint</th><th scope="col">Enabled</th><th scope="col">Circuit</th><th scope="col">Last error</th><th scope="col">Last success</th><th scope="col">Messages</th></tr></thead>
        <tbody>
        {{#endpoints}}<tr><th scope="row">{{name}}<br><span class="id">{{url}}</span></th><td>{{enabled}}</td><td>{{circuit}}</td><td>{{lastError}}</td><td>{{lastSuccess}}</td><td>{{counts}}</td></tr>{{/endpoints}}
        {{^endpoints}}<tr><td colspan="6">No webhook endpoints are configured.</td></tr>{{/endpoints}}
        </tbody>
        </table>
        <h2>Dead deliveries</h2>
        <table>
        <caption>{{deadCount}} messages gave up on{{#deadMore}} (the newest {{deadShown}} shown; <code>jitd queue list</code> lists all){{/deadMore}}</caption>
        <thead><tr><th scope="col">Id</th><th scope="col">Endpoint</th><th scope="col">Event</th><th scope="col" class="num">Attempts</th><th scope="col">Last error</th><th scope="col">Died</th><th scope="col">Action</th></tr></thead>
        <tbody>
        {{#dead}}<tr><td>{{id}}</td><td>{{endpoint}}</td><td>{{type}}</td><td class="num">{{attempts}}</td><td>{{error}}</td><td>{{died}}</td>
        <td><form method="post" action="{{redeliverHref}}"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Redeliver<span class="visually-hidden"> message {{id}}</span></button></form></td></tr>{{/dead}}
        {{^dead}}<tr><td colspan="7">No dead deliveries.</td></tr>{{/dead}}
        </tbody>
        </table>
        <h2>Inbox history</h2>
        <table>
        <caption>The latest {{inboxCount}} files dropped into the inbox, newest first</caption>
        <thead><tr><th scope="col">Received</th><th scope="col">File</th><th scope="col">Kind</th><th scope="col">Outcome</th><th scope="col">Report</th></tr></thead>
        <tbody>
        {{#inbox}}<tr><td>{{received}}</td><td>{{name}}</td><td>{{kind}}</td><td><span class="outcome o-{{outcome}}">{{outcome}}</span></td><td><details><summary>{{headline}}</summary><pre>{{report}}</pre></details></td></tr>{{/inbox}}
        {{^inbox}}<tr><td colspan="5">No files yet.</td></tr>{{/inbox}}
        </tbody>
        </table>
        """
}
