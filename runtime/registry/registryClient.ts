// The registry client's one facade: pull and push between registries and berth's content store.
// It owns what is shared across operations (the transport's keep-alive connections, the
// authenticator's token cache, where credentials come from) and opens a RepositoryClient with
// the right scopes for each operation. Everything with I/O is injected, so the engine passes
// its store, index and GC gate, and tests pass their own credentials file and helper runner.
import type { ContentStore } from '../store/contentStore';
import type { ImageIndex } from '../store/imageIndex';
import type { ImageReference } from '../store/references';
import { Authenticator } from './authenticator';
import type { BlobSources } from './blobSources';
import { DockerConfigCredentials, type CredentialSource } from './credentials';
import { pullImage, type PullOptions, type PullResult, type WriteGuard } from './pull';
import { pushImage, type PushOptions, type PushResult } from './push';
import { RepositoryClient } from './repositoryClient';
import { HttpTransport, type TransportOptions } from './transport';

export interface RegistryClientOptions extends TransportOptions {
  store: ContentStore;
  index: ImageIndex;
  /** Default: the Docker CLI's config.json ($DOCKER_CONFIG or ~/.docker). */
  credentials?: CredentialSource;
  /** Blob → repositories hints for cross-repository mounts. */
  sources?: BlobSources;
  /** The engine's GC gate. */
  gate?: WriteGuard;
  /** Clock for token expiry. */
  now?: () => number;
  /** Blob download retries for every pull (see PullOptions.retry). */
  retry?: PullOptions['retry'];
}

export class RegistryClient {
  private readonly transport: HttpTransport;
  private readonly auth: Authenticator;

  constructor(
    private readonly options: RegistryClientOptions,
    shared?: HttpTransport,
  ) {
    this.transport = shared ?? new HttpTransport(options);
    this.auth = new Authenticator(this.transport, options.credentials ?? new DockerConfigCredentials(), options.now ? { now: options.now } : {});
  }

  /**
   * The same client speaking as someone else (a Docker API request's `X-Registry-Auth`): it shares
   * the connections but has its own token cache, so one caller's tokens never serve another.
   */
  withCredentials(credentials: CredentialSource): RegistryClient {
    return new RegistryClient({ ...this.options, credentials }, this.transport);
  }

  pull(reference: string, options: PullOptions = {}): Promise<PullResult> {
    return pullImage(
      { store: this.options.store, index: this.options.index, open: (ref) => this.repository(ref, ['pull']) },
      reference,
      { ...this.defaults(), ...(this.options.retry ? { retry: this.options.retry } : {}), ...options },
    );
  }

  push(reference: string, options: PushOptions = {}): Promise<PushResult> {
    return pushImage(
      { store: this.options.store, index: this.options.index, open: (ref, mountSources) => this.repository(ref, ['pull', 'push'], mountSources) },
      reference,
      { ...this.defaults(), ...options },
    );
  }

  /** Closes idle connections; the client stays usable. */
  close(): void {
    this.transport.close();
  }

  private repository(reference: ImageReference, actions: ('pull' | 'push')[], mountSources: string[] = []): RepositoryClient {
    return new RepositoryClient(this.transport, this.auth, { registry: reference.domain, path: reference.path }, actions, mountSources);
  }

  private defaults(): { sources?: BlobSources; gate?: WriteGuard } {
    return { ...(this.options.sources ? { sources: this.options.sources } : {}), ...(this.options.gate ? { gate: this.options.gate } : {}) };
  }
}
