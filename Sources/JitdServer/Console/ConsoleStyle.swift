/// The console's one style sheet, served at `/console.css`. Colours meet WCAG AA contrast
/// (4.5:1 for text) against their backgrounds; focus is always visible.
enum ConsoleStyle {
    static let css = """
        :root { --ink: #1a1a1a; --muted: #4a4a4a; --link: #0b5394; --bar: #1f3a5f; --line: #c8c8c8; --bad: #a00018; --ok: #1e6b24; }
        * { box-sizing: border-box; }
        html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; font-size: 16px; color: var(--ink); background: #fff; }
        body { margin: 0; line-height: 1.45; }
        a { color: var(--link); }
        a:focus, button:focus, input:focus, select:focus, textarea:focus, summary:focus { outline: 3px solid #e08a00; outline-offset: 2px; }
        .skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem; }
        .skip:focus { left: .5rem; z-index: 10; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; background: var(--bar); color: #fff; padding: .5rem 1rem; }
        header.top a { color: #fff; }
        header.top .brand { font-weight: 700; font-size: 1.2rem; letter-spacing: .04em; }
        header.top nav ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: 0; padding: 0; }
        header.top nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
        header.top .who { margin-left: auto; display: flex; gap: .75rem; align-items: center; }
        header.top .role { color: #dfe7f1; }
        header.top button.link { background: none; border: 1px solid #fff; color: #fff; padding: .15rem .6rem; border-radius: 3px; cursor: pointer; font: inherit; }
        main { padding: 1rem 1.5rem 3rem; max-width: 1280px; }
        h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
        h1 .sub { font-weight: 400; color: var(--muted); font-size: 1.1rem; }
        h2 { font-size: 1.25rem; margin-top: 2rem; }
        table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }
        caption { text-align: left; font-weight: 600; padding: .25rem 0; color: var(--muted); }
        th, td { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
        thead th { border-bottom: 2px solid var(--ink); }
        th[scope="row"] { font-weight: 600; }
        .num { text-align: right; font-variant-numeric: tabular-nums; }
        .id { color: var(--muted); font-size: .85rem; font-weight: 400; word-break: break-all; }
        form.inline p { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
        form.narrow { max-width: 24rem; }
        input, select, textarea { font: inherit; padding: .3rem .4rem; border: 1px solid #6b6b6b; border-radius: 3px; color: var(--ink); background: #fff; }
        .module-form input, .module-form textarea, .module-form select { width: 100%; max-width: 36rem; }
        input[aria-invalid="true"] { border: 2px solid var(--bad); }
        button, a.button { font: inherit; background: var(--link); color: #fff; border: 0; border-radius: 3px; padding: .35rem .9rem; cursor: pointer; text-decoration: none; display: inline-block; }
        .hint { color: var(--muted); font-size: .9rem; }
        .error { color: var(--bad); }
        div.error { border: 2px solid var(--bad); padding: .5rem 1rem; margin: 1rem 0; }
        div.error h2 { margin-top: .25rem; font-size: 1.1rem; }
        .warn { color: var(--bad); font-weight: 600; }
        .ok { color: var(--ok); font-weight: 600; }
        .pager { display: flex; gap: 1.5rem; margin-bottom: .5rem; }
        .legend { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; list-style: none; padding: 0; margin: .5rem 0 1rem; }
        .legend li { display: flex; align-items: center; gap: .4rem; }
        .key { display: inline-block; width: 1.6rem; height: .9rem; border: 1px solid #555; }
        .k-head { background: #cfe0f3; border-color: #0b5394; }
        .k-min { background: #fff; border: 0; border-top: 3px dashed #a00018; height: 0; }
        .k-slack { background: #b9e0bd; }
        .k-short { background: #f4c0c6; }
        .k-train { background: #5b3f86; }
        section.chart { margin-bottom: 1rem; }
        section.chart h2 { margin: 1rem 0 .25rem; }
        section.chart p { margin: .25rem 0; }
        svg.chart { width: 100%; height: auto; display: block; max-width: 1200px; }
        svg.chart text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
        .state { padding: 0 .35rem; border-radius: 3px; color: #fff; background: #555; white-space: nowrap; }
        .s-planned { background: #5b3f86; } .s-notified { background: #0b5394; } .s-acknowledged { background: #00695c; }
        .s-completed { background: #1e6b24; } .s-declined, .s-cancelled, .s-expired, .s-missed { background: #5f5f5f; }
        .outcome { font-weight: 600; } .o-rejected { color: var(--bad); } .o-accepted { color: var(--ok); }
        details pre { white-space: pre-wrap; word-break: break-word; max-width: 48rem; font-size: .85rem; background: #f3f3f3; padding: .5rem; }
        code { font-size: .9em; }
        """
}
