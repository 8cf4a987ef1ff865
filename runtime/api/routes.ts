// The route table: every endpoint berth serves, in one place.
import { containerLogs, createContainer, inspectContainer, killContainer, listContainers, removeContainer, restartContainer, startContainer, stopContainer, waitContainer } from './containerHandlers';
import { pruneContainers } from './containerPruneHandler';
import { streamEvents } from './eventHandlers';
import { createExec, inspectExec, resizeContainer, resizeExec, startExecDetached } from './execHandlers';
import type { Handler } from './handler';
import { createImage, imageHistory, inspectImage, listImages, loadImages, pruneImages, removeImage, saveImages, tagImage } from './imageHandlers';
import { Router } from './router';
import { info, ping, version } from './systemHandlers';
import { createVolume, inspectVolume, listVolumes, pruneVolumes, removeVolume } from './volumeHandlers';

export function dockerRoutes(): Router<Handler> {
  return new Router<Handler>()
    .add('GET', '/_ping', ping)
    .add('HEAD', '/_ping', ping)
    .add('GET', '/version', version)
    .add('GET', '/info', info)
    .add('GET', '/events', streamEvents)
    .add('GET', '/images/json', listImages)
    .add('GET', '/images/get', saveImages)
    .add('POST', '/images/load', loadImages)
    .add('POST', '/images/create', createImage)
    .add('POST', '/images/prune', pruneImages)
    .add('GET', '/images/{name}/json', inspectImage)
    .add('GET', '/images/{name}/history', imageHistory)
    .add('GET', '/images/{name}/get', saveImages)
    .add('POST', '/images/{name}/tag', tagImage)
    .add('DELETE', '/images/{name}', removeImage)
    .add('POST', '/containers/create', createContainer)
    .add('GET', '/containers/json', listContainers)
    .add('POST', '/containers/prune', pruneContainers)
    .add('GET', '/containers/{name}/json', inspectContainer)
    .add('GET', '/containers/{name}/logs', containerLogs)
    .add('POST', '/containers/{name}/start', startContainer)
    .add('POST', '/containers/{name}/wait', waitContainer)
    .add('POST', '/containers/{name}/stop', stopContainer)
    .add('POST', '/containers/{name}/restart', restartContainer)
    .add('POST', '/containers/{name}/kill', killContainer)
    .add('DELETE', '/containers/{name}', removeContainer)
    .add('POST', '/containers/{name}/resize', resizeContainer)
    .add('POST', '/containers/{name}/exec', createExec)
    .add('GET', '/exec/{name}/json', inspectExec)
    .add('POST', '/exec/{name}/start', startExecDetached)
    .add('POST', '/exec/{name}/resize', resizeExec)
    .add('POST', '/volumes/create', createVolume)
    .add('GET', '/volumes', listVolumes)
    .add('POST', '/volumes/prune', pruneVolumes)
    .add('GET', '/volumes/{name}', inspectVolume)
    .add('DELETE', '/volumes/{name}', removeVolume);
}
