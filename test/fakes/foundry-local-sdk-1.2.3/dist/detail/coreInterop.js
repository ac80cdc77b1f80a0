// The one file of foundry-local-sdk 1.2.3 replaced for the harness's tests: the native core. The published
// CoreInterop loads a Node-API addon and Microsoft.AI.Foundry.Local.Core, which the package's install script
// downloads; this stub answers the same commands from the fake Foundry Local of test/fakes/fake-foundry.ts
// (the server generation's REST API for the web service, its cache directory for downloads). Every other file
// of dist/ is the published package's, unchanged.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheModelDir, FAKE_CATALOG, startFakeFoundry, writeCachedModel } from '../../../fake-foundry.ts';

/** What the SDK asked of its core, for assertions (`globalThis.foundrySdkCore`). */
const core = (globalThis.foundrySdkCore ??= { calls: [], params: null, epsRegistered: false, fake: null });

/** The catalog as the Core's `get_model_list` gives it: ModelInfo JSON; GPU builds only once their EPs are registered. */
function modelList() {
  return FAKE_CATALOG.filter((v) => v.deviceType === 'CPU' || core.epsRegistered).map((v) => ({
    id: v.id,
    name: v.id.split(':')[0],
    version: Number(v.id.split(':')[1]),
    alias: v.alias,
    providerType: 'AzureFoundry',
    uri: `azureml://registries/azureml/models/${v.id.split(':')[0]}/versions/${v.id.split(':')[1]}`,
    modelType: 'ONNX',
    runtime: { deviceType: v.deviceType, executionProvider: v.executionProvider },
    fileSizeMb: v.fileSizeMb,
    license: v.license,
    task: 'chat-completion',
    cached: false,
  }));
}

function cachedIds() {
  const cached = (id) => existsSync(join(cacheModelDir(core.fake.cacheDir, id), 'inference_model.json'));
  return core.fake ? FAKE_CATALOG.map((v) => v.id).filter(cached) : [];
}

/** The answer of a command that needs no I/O, as the native core gives it synchronously. */
function answer(command, params) {
  core.calls.push(command);
  switch (command) {
    case 'initialize':
      core.params = params?.Params ?? null;
      return '';
    case 'get_catalog_name':
      return 'Foundry Local';
    case 'get_model_list':
      return JSON.stringify(modelList());
    case 'get_cached_models':
      return JSON.stringify(cachedIds());
    case 'download_and_register_eps':
      core.epsRegistered = true;
      // `core.epFailure`: a provider that would not download (the GPU builds of a machine with the hardware go missing).
      return JSON.stringify(
        core.epFailure
          ? { Success: false, Status: 'One or more EPs failed', RegisteredEps: ['WebGpuExecutionProvider'], FailedEps: ['CUDAExecutionProvider'] }
          : { Success: true, Status: 'ok', RegisteredEps: ['WebGpuExecutionProvider'], FailedEps: [] },
      );
    case 'start_service':
      // The native core starts its web service in-process; here the fake, started at initialisation.
      if (!core.fake) throw new Error('stub core: the service was not prepared (initialise through createAsync)');
      core.serving = true;
      return JSON.stringify([core.fake.origin.replace('127.0.0.1', 'localhost')]);
    case 'stop_service':
      core.serving = false;
      return '';
    default:
      throw new Error(`the stub core does not implement "${command}"`);
  }
}

export class CoreInterop {
  constructor(config) {
    core.config = config.params;
  }

  executeCommand(command, params) {
    return answer(command, params);
  }

  async executeCommandAsync(command, params) {
    // The fake service's HTTP server starts asynchronously, so it starts with the core, before start_service.
    if (command === 'initialize') {
      core.fake ??= await startFakeFoundry({ generation: 'server', catalog: FAKE_CATALOG, cached: ['qwen2.5-0.5b-instruct-generic-cpu:4'] });
    }
    return answer(command, params);
  }

  async executeCommandStreaming(command, params, onChunk, signal) {
    if (command === 'download_and_register_eps') {
      // A first run downloads the providers: `name|percent` chunks.
      for (const percent of [0, 50, 100]) onChunk(`WebGpuExecutionProvider|${percent}`);
      return answer(command, params);
    }
    if (command !== 'download_model') return answer(command, params);
    core.calls.push(command);
    const id = params.Params.Model;
    for (const percent of [0, 25, 50, 75, 100]) {
      if (signal?.aborted) throw new Error('Operation cancelled');
      onChunk(String(percent));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    writeCachedModel(core.fake.cacheDir, id, 16 * 1024);
    return '';
  }
}
