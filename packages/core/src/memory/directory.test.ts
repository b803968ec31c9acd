import { runDirectoryConformance } from '../testing/directory-conformance.js';
import { createMemoryDirectory, type MemoryDirectory } from './directory.js';

let directory: MemoryDirectory;
runDirectoryConformance({
  name: 'memory',
  create: () => {
    directory = createMemoryDirectory();
    return directory;
  },
  seed: (target, users) => {
    for (const user of users) target.put(user);
  },
  capabilities: { manageDevices: true },
  inspect: { user: async (tenantId, id) => directory.peek(tenantId, id) },
});
