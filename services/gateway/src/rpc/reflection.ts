// gRPC server reflection (v1, and v1alpha for older tools) from the descriptors protoc-gen-es
// embedded in the generated code, so grpcurl, Postman or Kreya can list the services and call
// them without our .proto files. No npm package implements it for Connect-ES: the protocol is
// small (list services; a file by name or by a symbol it defines, with its imports).
import { create, createRegistry, toBinary, type DescFile, type MessageInitShape } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { Code, type ConnectRouter } from '@connectrpc/connect';
import * as v1 from '@framesmith/core/gen/es/grpc/reflection/v1/reflection_pb';
import * as v1alpha from '@framesmith/core/gen/es/grpc/reflection/v1alpha/reflection_pb';

type Request = v1.ServerReflectionRequest;
type Answer = MessageInitShape<typeof v1.ServerReflectionResponseSchema>['messageResponse'];

/** The reflection answers for a set of services, whatever the protocol version asking. */
export function createReflector(services: { typeName: string; file: DescFile }[]) {
  const files = new Map<string, DescFile>();
  const addFile = (f: DescFile) => {
    if (files.has(f.proto.name)) return;
    files.set(f.proto.name, f);
    f.dependencies.forEach(addFile);
  };
  for (const s of services) addFile(s.file);
  const registry = createRegistry(...files.values());
  const serialized = (f: DescFile) => toBinary(FileDescriptorProtoSchema, f.proto);

  /** The file and everything it imports, dependencies first. */
  const withImports = (f: DescFile): Uint8Array[] => {
    const seen = new Set<string>();
    const out: Uint8Array[] = [];
    const visit = (d: DescFile) => {
      if (seen.has(d.proto.name)) return;
      seen.add(d.proto.name);
      d.dependencies.forEach(visit);
      out.push(serialized(d));
    };
    visit(f);
    return out;
  };

  /** The file defining a message, enum, service, method (`pkg.Service.Method`) or extension. */
  const fileOfSymbol = (symbol: string): DescFile | undefined => {
    const desc = registry.get(symbol);
    if (desc) return desc.file;
    const dot = symbol.lastIndexOf('.');
    const service = dot > 0 ? registry.getService(symbol.slice(0, dot)) : undefined;
    return service?.methods.some((m) => m.name === symbol.slice(dot + 1)) ? service.file : undefined;
  };

  const notFound = (what: string): Answer => ({ case: 'errorResponse', value: { errorCode: Code.NotFound, errorMessage: `${what} not found` } });
  const filesAnswer = (f: DescFile | undefined, what: string): Answer =>
    f ? { case: 'fileDescriptorResponse', value: { fileDescriptorProto: withImports(f) } } : notFound(what);

  return (req: Request): Answer => {
    const r = req.messageRequest;
    switch (r.case) {
      case 'listServices':
        return { case: 'listServicesResponse', value: { service: services.map((s) => ({ name: s.typeName })) } };
      case 'fileByFilename':
        return filesAnswer(files.get(r.value), `file ${r.value}`);
      case 'fileContainingSymbol':
        return filesAnswer(fileOfSymbol(r.value), `symbol ${r.value}`);
      case 'fileContainingExtension': {
        const ext = [...files.values()].flatMap((f) => f.extensions).find((e) => e.extendee.typeName === r.value.containingType && e.number === r.value.extensionNumber);
        return filesAnswer(ext?.file, `extension ${r.value.extensionNumber} of ${r.value.containingType}`);
      }
      case 'allExtensionNumbersOfType': {
        if (!registry.getMessage(r.value)) return notFound(`type ${r.value}`);
        const numbers = [...files.values()].flatMap((f) => f.extensions).filter((e) => e.extendee.typeName === r.value).map((e) => e.number);
        return { case: 'allExtensionNumbersResponse', value: { baseTypeName: r.value, extensionNumber: numbers } };
      }
      default:
        return { case: 'errorResponse', value: { errorCode: Code.InvalidArgument, errorMessage: 'the request names nothing to reflect on' } };
    }
  };
}

/**
 * Registers both versions on the router, after every other service: those already on the
 * router are the ones listed, and the reflection services list themselves too, as grpc-go's do.
 */
export function registerReflection(router: ConnectRouter): void {
  const all = [...new Set(router.handlers.map((h) => h.service)), v1.ServerReflection, v1alpha.ServerReflection];
  const answer = createReflector(all);
  router.service(v1.ServerReflection, {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) {
        yield create(v1.ServerReflectionResponseSchema, { validHost: req.host, originalRequest: req, messageResponse: answer(req) });
      }
    },
  });
  // v1alpha's messages are v1's under another package: the same answer, re-typed.
  router.service(v1alpha.ServerReflection, {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) {
        const asV1 = create(v1.ServerReflectionRequestSchema, req as unknown as MessageInitShape<typeof v1.ServerReflectionRequestSchema>);
        const init = { validHost: req.host, originalRequest: req, messageResponse: answer(asV1) };
        yield create(v1alpha.ServerReflectionResponseSchema, init as unknown as MessageInitShape<typeof v1alpha.ServerReflectionResponseSchema>);
      }
    },
  });
}
