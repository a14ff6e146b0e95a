import { create, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { AssetService, EventService } from '@framesmith/core/gen/es/framesmith/v1/assets_pb';
import { Health } from '@framesmith/core/gen/es/grpc/health/v1/health_pb';
import { ServerReflectionRequestSchema, type ServerReflectionRequest } from '@framesmith/core/gen/es/grpc/reflection/v1/reflection_pb';
import { createReflector } from './reflection.js';

const answer = createReflector([AssetService, EventService, Health]);
const ask = (messageRequest: ServerReflectionRequest['messageRequest']) => answer(create(ServerReflectionRequestSchema, { messageRequest }));
const fileNames = (a: ReturnType<typeof answer>) =>
  a?.case === 'fileDescriptorResponse' ? (a.value.fileDescriptorProto ?? []).map((b) => fromBinary(FileDescriptorProtoSchema, b as Uint8Array).name) : [];

describe('reflection answers', () => {
  it('lists the services it was given', () => {
    const a = ask({ case: 'listServices', value: '' });
    expect(a).toEqual({ case: 'listServicesResponse', value: { service: [{ name: 'framesmith.v1.AssetService' }, { name: 'framesmith.v1.EventService' }, { name: 'grpc.health.v1.Health' }] } });
  });

  it('finds the file of a service, a method, a message and an enum, and a file by name', () => {
    for (const symbol of ['framesmith.v1.AssetService', 'framesmith.v1.AssetService.GetAsset', 'framesmith.v1.Asset', 'framesmith.v1.AssetState']) {
      expect(fileNames(ask({ case: 'fileContainingSymbol', value: symbol }))).toEqual(['framesmith/v1/assets.proto']);
    }
    expect(fileNames(ask({ case: 'fileByFilename', value: 'grpc/health/v1/health.proto' }))).toEqual(['grpc/health/v1/health.proto']);
  });

  it('answers NOT_FOUND for what it does not know', () => {
    for (const r of [
      { case: 'fileContainingSymbol', value: 'framesmith.v1.AssetService.NoSuchMethod' },
      { case: 'fileContainingSymbol', value: 'nope.Thing' },
      { case: 'fileByFilename', value: 'nope.proto' },
      { case: 'allExtensionNumbersOfType', value: 'nope.Thing' },
    ] as const) {
      expect(ask(r)).toMatchObject({ case: 'errorResponse', value: { errorCode: 5 } });
    }
  });
});
