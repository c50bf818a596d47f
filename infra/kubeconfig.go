package infra

import "fmt"

// Kubeconfig renders a kubeconfig that authenticates with the
// gke-gcloud-auth-plugin exec plugin. It holds no token, so it is the same
// on every run and never causes a provider diff.
func Kubeconfig(project, region, name, endpoint, caCert string) string {
	context := fmt.Sprintf("gke_%s_%s_%s", project, region, name)
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: %[1]s
  cluster:
    certificate-authority-data: %[2]s
    server: https://%[3]s
contexts:
- name: %[1]s
  context:
    cluster: %[1]s
    user: %[1]s
current-context: %[1]s
users:
- name: %[1]s
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: gke-gcloud-auth-plugin
      installHint: Install gke-gcloud-auth-plugin for use with kubectl by following https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin
      provideClusterInfo: true
`, context, caCert, endpoint)
}
