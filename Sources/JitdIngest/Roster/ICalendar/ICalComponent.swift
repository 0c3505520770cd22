/// A `BEGIN:NAME` … `END:NAME` block with its properties and nested components (RFC 5545 §3.4–3.6).
struct ICalComponent: Sendable {
    /// The upper-cased component name, e.g. `VEVENT`.
    var name: String
    /// The line of `BEGIN:NAME`, which diagnostics about the whole component point at.
    var line: Int
    var properties: [ICalContentLine] = []
    var components: [ICalComponent] = []

    /// The first property with this (upper-cased) name.
    func first(_ name: String) -> ICalContentLine? { properties.first { $0.name == name } }

    /// Every property with this (upper-cased) name, in file order.
    func all(_ name: String) -> [ICalContentLine] { properties.filter { $0.name == name } }

    /// Nested components with this (upper-cased) name.
    func children(_ name: String) -> [ICalComponent] { components.filter { $0.name == name } }

    /// A copy that also carries `source`'s properties of the given names that this component lacks.
    ///
    /// An override (`RECURRENCE-ID`) often repeats only what changed, so who works the shift is
    /// taken from the series it belongs to when the override does not say.
    func inheriting(_ names: Set<String>, from source: ICalComponent) -> ICalComponent {
        var copy = self
        let present = Set(properties.map(\.name))
        copy.properties += source.properties.filter { names.contains($0.name) && !present.contains($0.name) }
        return copy
    }
}

/// Builds the component tree from content lines, reporting unbalanced `BEGIN`/`END`.
enum ICalComponentReader {
    /// The top-level components (normally one `VCALENDAR`); properties outside any component are reported.
    static func read(_ lines: [ICalContentLine], sink: inout DiagnosticSink) -> [ICalComponent] {
        var stack: [ICalComponent] = []
        var roots: [ICalComponent] = []
        for line in lines {
            switch line.name {
            case "BEGIN":
                stack.append(ICalComponent(name: line.value.icalTrimmed.uppercased(), line: line.line))
            case "END":
                close(line, &stack, &roots, &sink)
            default:
                if stack.isEmpty {
                    sink.error("\(line.name) is outside any component; put it between BEGIN:VCALENDAR and END:VCALENDAR", line: line.line)
                } else {
                    stack[stack.count - 1].properties.append(line)
                }
            }
        }
        while let open = stack.popLast() {
            sink.error("BEGIN:\(open.name) is never closed; add END:\(open.name)", line: open.line)
            attach(open, &stack, &roots)
        }
        return roots
    }

    /// Closes the innermost component when the names match; an `END` for an outer component also closes the ones inside it.
    private static func close(_ end: ICalContentLine, _ stack: inout [ICalComponent], _ roots: inout [ICalComponent],
                              _ sink: inout DiagnosticSink) {
        let name = end.value.icalTrimmed.uppercased()
        guard let depth = stack.lastIndex(where: { $0.name == name }) else {
            sink.error("END:\(name) has no matching BEGIN:\(name); remove it or add the BEGIN", line: end.line)
            return
        }
        while stack.count > depth + 1, let inner = stack.popLast() {
            sink.error("BEGIN:\(inner.name) is not closed before END:\(name) at line \(end.line); add END:\(inner.name)", line: inner.line)
            attach(inner, &stack, &roots)
        }
        if let done = stack.popLast() { attach(done, &stack, &roots) }
    }

    private static func attach(_ component: ICalComponent, _ stack: inout [ICalComponent], _ roots: inout [ICalComponent]) {
        if stack.isEmpty { roots.append(component) } else { stack[stack.count - 1].components.append(component) }
    }
}
