// The new-device email now lives with every other notice; lib/auth/sign-in.ts still imports it
// from here under its old name.
export { newDeviceNotice as composeNewDeviceNotice } from '@/lib/notices/new-device-notice';
