// Placeholder so the target builds while the demo lands; removed with the first real file.
enum DemoPlaceholder {}
