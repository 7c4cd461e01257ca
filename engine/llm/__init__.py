"""The LLM layer: providers, the model catalog and manager, prompts, the tool loop."""
