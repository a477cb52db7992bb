using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Prem.Llm.Tests.Architecture;

/// <summary>
/// The namespace dependency graph of one compiled assembly, read from its metadata and IL: an edge
/// A → B when a type declared in namespace A names a type declared (in the same assembly) in
/// namespace B — in a base type, interface, field, method or property signature, generic constraint,
/// attribute, local variable or any token an IL instruction carries (call, newobj, ldfld, ldtoken,
/// box, castclass…). Types from other assemblies are not nodes.
/// </summary>
internal sealed class NamespaceDependencyGraph
{
    static readonly Dictionary<short, OperandType> _operandTypes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    readonly SortedDictionary<string, SortedSet<string>> _edges = new(StringComparer.Ordinal);

    /// <summary>Each namespace and the namespaces it depends on (no self edges).</summary>
    public IReadOnlyDictionary<string, SortedSet<string>> Edges => _edges;

    /// <summary>Builds the graph of the assembly at <paramref name="path"/>, keeping namespaces that
    /// start with <paramref name="rootNamespace"/> (compiler-embedded types are left out).</summary>
    public static NamespaceDependencyGraph FromAssembly(string path, string rootNamespace)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var graph = new NamespaceDependencyGraph();
        var collector = new Collector(reader, rootNamespace);

        foreach (var handle in reader.TypeDefinitions)
        {
            var from = collector.NamespaceOf(handle);
            if (from is null)
                continue;
            graph.AddNode(from);
            var used = new HashSet<string>(StringComparer.Ordinal);
            collector.Target = used;
            collector.CollectType(handle, pe);
            foreach (var to in used)
                graph.AddEdge(from, to);
        }
        return graph;
    }

    /// <summary>Adds a namespace with no edges (or leaves it as it is).</summary>
    public void AddNode(string ns)
    {
        if (!_edges.ContainsKey(ns))
            _edges[ns] = new SortedSet<string>(StringComparer.Ordinal);
    }

    /// <summary>Adds the edge <paramref name="from"/> → <paramref name="to"/>; self edges are ignored.</summary>
    public void AddEdge(string from, string to)
    {
        AddNode(from);
        AddNode(to);
        if (from != to)
            _edges[from].Add(to);
    }

    /// <summary>One cycle (first node repeated at the end), or null when the graph is acyclic.</summary>
    public IReadOnlyList<string>? FindCycle()
    {
        // Depth-first search with colours; a grey successor closes a cycle along the current path.
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var start in _edges.Keys)
        {
            var cycle = Visit(start, state, path);
            if (cycle is not null)
                return cycle;
        }
        return null;
    }

    List<string>? Visit(string node, Dictionary<string, int> state, List<string> path)
    {
        state.TryGetValue(node, out var s);
        if (s == 2)
            return null;
        if (s == 1)
        {
            var cycle = path.Skip(path.IndexOf(node)).ToList();
            cycle.Add(node);
            return cycle;
        }
        state[node] = 1;
        path.Add(node);
        foreach (var next in _edges[node])
        {
            var cycle = Visit(next, state, path);
            if (cycle is not null)
                return cycle;
        }
        path.RemoveAt(path.Count - 1);
        state[node] = 2;
        return null;
    }

    /// <summary>The graph as "A -> B, C" lines, for failure messages.</summary>
    public override string ToString() =>
        string.Join(Environment.NewLine, _edges.Select(e => $"{e.Key} -> {string.Join(", ", e.Value)}"));

    sealed class Collector : ISignatureTypeProvider<object?, object?>
    {
        readonly MetadataReader _reader;
        readonly string _root;

        public Collector(MetadataReader reader, string rootNamespace)
        {
            _reader = reader;
            _root = rootNamespace;
        }

        public HashSet<string> Target { get; set; } = [];

        public string? NamespaceOf(TypeDefinitionHandle handle)
        {
            var type = _reader.GetTypeDefinition(handle);
            while (type.GetDeclaringType() is { IsNil: false } outer)
                type = _reader.GetTypeDefinition(outer);
            var ns = _reader.GetString(type.Namespace);
            return ns == _root || ns.StartsWith(_root + ".", StringComparison.Ordinal) ? ns : null;
        }

        void Use(TypeDefinitionHandle handle)
        {
            if (NamespaceOf(handle) is { } ns)
                Target.Add(ns);
        }

        public void CollectType(TypeDefinitionHandle handle, PEReader pe)
        {
            var type = _reader.GetTypeDefinition(handle);
            UseTypeHandle(type.BaseType);
            foreach (var i in type.GetInterfaceImplementations())
                UseTypeHandle(_reader.GetInterfaceImplementation(i).Interface);
            CollectAttributes(type.GetCustomAttributes());
            CollectGenericParameters(type.GetGenericParameters());
            foreach (var f in type.GetFields())
            {
                var field = _reader.GetFieldDefinition(f);
                field.DecodeSignature(this, null);
                CollectAttributes(field.GetCustomAttributes());
            }
            foreach (var p in type.GetProperties())
            {
                var property = _reader.GetPropertyDefinition(p);
                property.DecodeSignature(this, null);
                CollectAttributes(property.GetCustomAttributes());
            }
            foreach (var e in type.GetEvents())
                UseTypeHandle(_reader.GetEventDefinition(e).Type);
            foreach (var m in type.GetMethods())
                CollectMethod(_reader.GetMethodDefinition(m), pe);
        }

        void CollectMethod(MethodDefinition method, PEReader pe)
        {
            method.DecodeSignature(this, null);
            CollectAttributes(method.GetCustomAttributes());
            CollectGenericParameters(method.GetGenericParameters());
            foreach (var p in method.GetParameters())
                CollectAttributes(_reader.GetParameter(p).GetCustomAttributes());
            if (method.RelativeVirtualAddress == 0)
                return;
            var body = pe.GetMethodBody(method.RelativeVirtualAddress);
            if (!body.LocalSignature.IsNil)
                _reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(this, null);
            foreach (var region in body.ExceptionRegions)
                if (region.Kind == ExceptionRegionKind.Catch)
                    UseTypeHandle(region.CatchType);
            CollectIl(body.GetILReader());
        }

        void CollectIl(BlobReader il)
        {
            while (il.RemainingBytes > 0)
            {
                short code = il.ReadByte();
                if (code == 0xFE)
                    code = unchecked((short)(0xFE00 | il.ReadByte()));
                switch (_operandTypes[code])
                {
                    case OperandType.InlineNone:
                        break;
                    case OperandType.ShortInlineBrTarget:
                    case OperandType.ShortInlineI:
                    case OperandType.ShortInlineVar:
                        il.Offset += 1;
                        break;
                    case OperandType.InlineVar:
                        il.Offset += 2;
                        break;
                    case OperandType.InlineI8:
                    case OperandType.InlineR:
                        il.Offset += 8;
                        break;
                    case OperandType.InlineSwitch:
                        int targets = il.ReadInt32();
                        il.Offset += 4 * targets;
                        break;
                    case OperandType.InlineField:
                    case OperandType.InlineMethod:
                    case OperandType.InlineSig:
                    case OperandType.InlineTok:
                    case OperandType.InlineType:
                        UseToken(MetadataTokens.EntityHandle(il.ReadInt32()));
                        break;
                    default:
                        il.Offset += 4;
                        break;
                }
            }
        }

        void UseToken(EntityHandle handle)
        {
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                case HandleKind.TypeSpecification:
                    UseTypeHandle(handle);
                    break;
                case HandleKind.MethodDefinition:
                    Use(_reader.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.FieldDefinition:
                    Use(_reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.MemberReference:
                    var member = _reader.GetMemberReference((MemberReferenceHandle)handle);
                    UseToken(member.Parent);
                    if (member.GetKind() == MemberReferenceKind.Method)
                        member.DecodeMethodSignature(this, null);
                    else
                        member.DecodeFieldSignature(this, null);
                    break;
                case HandleKind.MethodSpecification:
                    var spec = _reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                    UseToken(spec.Method);
                    spec.DecodeSignature(this, null);
                    break;
                case HandleKind.StandaloneSignature:
                    var signature = _reader.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                    if (signature.GetKind() == StandaloneSignatureKind.Method)
                        signature.DecodeMethodSignature(this, null);
                    break;
            }
        }

        void UseTypeHandle(EntityHandle handle)
        {
            if (handle.IsNil)
                return;
            if (handle.Kind == HandleKind.TypeDefinition)
                Use((TypeDefinitionHandle)handle);
            else if (handle.Kind == HandleKind.TypeSpecification)
                _reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null);
        }

        void CollectAttributes(CustomAttributeHandleCollection attributes)
        {
            foreach (var a in attributes)
                UseToken(_reader.GetCustomAttribute(a).Constructor);
        }

        void CollectGenericParameters(GenericParameterHandleCollection parameters)
        {
            foreach (var p in parameters)
                foreach (var c in _reader.GetGenericParameter(p).GetConstraints())
                    UseTypeHandle(_reader.GetGenericParameterConstraint(c).Type);
        }

        public object? GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            Use(handle);
            return null;
        }

        public object? GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => null;

        public object? GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public object? GetArrayType(object? elementType, ArrayShape shape) => null;
        public object? GetByReferenceType(object? elementType) => null;
        public object? GetFunctionPointerType(MethodSignature<object?> signature) => null;
        public object? GetGenericInstantiation(object? genericType, ImmutableArray<object?> typeArguments) => null;
        public object? GetGenericMethodParameter(object? genericContext, int index) => null;
        public object? GetGenericTypeParameter(object? genericContext, int index) => null;
        public object? GetModifiedType(object? modifier, object? unmodifiedType, bool isRequired) => null;
        public object? GetPinnedType(object? elementType) => null;
        public object? GetPointerType(object? elementType) => null;
        public object? GetPrimitiveType(PrimitiveTypeCode typeCode) => null;
        public object? GetSZArrayType(object? elementType) => null;
    }
}
