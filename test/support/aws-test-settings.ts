/** Moved to local/aws/, where the local platform runs it too. */
export * from '../../local/aws/aws-test-settings';
